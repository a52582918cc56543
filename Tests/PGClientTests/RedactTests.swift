import PGClient
import XCTest

/// Passwords must never reach logs, error messages or the terminal.
final class RedactTests: XCTestCase {
    /// Protects key/value conninfo: plain, spaced and quoted (with escapes) passwords are masked,
    /// every other setting is kept.
    func testKeyValueForms() {
        XCTAssertEqual(redactConninfo("host=db port=5432 user=u password=s3cret dbname=x"),
                       "host=db port=5432 user=u password=*** dbname=x")
        XCTAssertEqual(redactConninfo("password = s3cret host=db"), "password = *** host=db")
        XCTAssertEqual(redactConninfo("user=u password='it\\'s a secret' dbname=x"), "user=u password=*** dbname=x")
        XCTAssertEqual(redactConninfo("PASSWORD=Loud host=h"), "PASSWORD=*** host=h")
        XCTAssertEqual(redactConninfo("password=endofstring"), "password=***")
        // a key that merely ends in "password" is left alone
        XCTAssertEqual(redactConninfo("sslpassword_x=1 host=h"), "sslpassword_x=1 host=h")
    }

    /// Protects URL forms: the password in user:password@ and in ?password= is masked.
    func testURLForms() {
        XCTAssertEqual(redactConninfo("postgresql://lens:s3cret@db.example:5432/lens?sslmode=require"),
                       "postgresql://lens:***@db.example:5432/lens?sslmode=require")
        XCTAssertEqual(redactConninfo("postgres://lens:p%40ss@h/db"), "postgres://lens:***@h/db")
        XCTAssertEqual(redactConninfo("postgresql://lens@h/db?password=s3cret&sslmode=disable"),
                       "postgresql://lens@h/db?password=***&sslmode=disable")
        XCTAssertEqual(redactConninfo("postgresql://h/db"), "postgresql://h/db")
        XCTAssertEqual(redactConninfo("postgresql://lens@%2Ftmp%2Frun:5499/lens"),
                       "postgresql://lens@%2Ftmp%2Frun:5499/lens")
        XCTAssertEqual(redactConninfo("error for postgresql://a:b@h/db: refused"),
                       "error for postgresql://a:***@h/db: refused")
    }

    /// Protects PGError's description: it shows SQLSTATE, message, detail and hint.
    func testErrorDescription() {
        let e = PGError.query(sqlState: "23505", message: "duplicate key", detail: "Key (id)=(1) already exists.",
                              hint: nil)
        XCTAssertEqual(e.description, "PostgreSQL error [23505]: duplicate key (detail: Key (id)=(1) already exists.)")
    }
}
