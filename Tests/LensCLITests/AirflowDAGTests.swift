import Foundation
import XCTest

/// Protects the example Airflow DAG (pipelines/airflow/lens_movielens.py): it is valid Python, and
/// every lens subcommand and flag it calls exists. (Airflow itself is too large to install in CI;
/// when it is importable, the DAG file is also imported, which makes Airflow parse both DAGs.)
final class AirflowDAGTests: XCTestCase {
    func testDAGParsesAndCallsRealLensCommands() throws {
        let dag = CLI.repo + "/pipelines/airflow/lens_movielens.py"
        let (s, _, e) = try CLI.run(["python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", dag])
        XCTAssertEqual(s, 0, e)
        let text = try String(contentsOfFile: dag, encoding: .utf8)
        for (command, flag) in [("run", "--hold-back-buffer"), ("run", "--format"), ("check", "--database"),
                                ("report", "--out"), ("append", "--batch"), ("drift", "--database")] {
            XCTAssertTrue(text.contains("{LENS} \(command)"), "the DAG runs lens \(command)")
            let (status, help, err) = try CLI.lens([command, "--help"])
            XCTAssertEqual(status, 0, err)
            XCTAssertTrue(help.contains(flag), "lens \(command) has \(flag)")
        }
        let (hasAirflow, _, _) = try CLI.run(["python3", "-c", "import airflow"])
        if hasAirflow == 0 {
            let (status, out, err) = try CLI.run(["python3", dag])
            XCTAssertEqual(status, 0, out + err)
        }
    }
}
