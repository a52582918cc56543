import Foundation
import XCTest

/// Protects the example Airflow DAG (pipelines/airflow/lens_movielens.py): it is valid Python, and
/// every lens subcommand and flag it calls exists; with Airflow installed, Airflow itself loads it
/// and renders the commands the tasks would run.
final class AirflowDAGTests: XCTestCase {
    /// The Python that has Airflow: $LENS_AIRFLOW_PYTHON (e.g. a virtualenv's, since Airflow is
    /// too large for scripts/install-deps), else python3.
    static let python = ProcessInfo.processInfo.environment["LENS_AIRFLOW_PYTHON"] ?? "python3"

    func testDAGParsesAndCallsRealLensCommands() throws {
        let dag = CLI.repo + "/pipelines/airflow/lens_movielens.py"
        let (s, _, e) = try CLI.run(["python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", dag])
        XCTAssertEqual(s, 0, e)
        let text = try String(contentsOfFile: dag, encoding: .utf8)
        for (command, flag) in [("run", "--hold-back-buffer"), ("run", "--format"), ("check", "--database"),
                                ("report", "--out"), ("append", "--next"), ("drift", "--database")] {
            XCTAssertTrue(text.contains("{LENS} \(command)"), "the DAG runs lens \(command)")
            let (status, help, err) = try CLI.lens([command, "--help"])
            XCTAssertEqual(status, 0, err)
            XCTAssertTrue(help.contains(flag), "lens \(command) has \(flag)")
        }
    }

    /// Airflow's DagBag loads both DAGs without import errors, and the rendered task commands are
    /// exactly these: in particular the weekly DAG appends with `lens append --next` (never a batch
    /// number computed from dates, which from a mid-cycle start appends 2, 3, 4, 5, 1).
    func testAirflowRendersTheWeeklyAppendAsNext() throws {
        let (hasAirflow, _, _) = try CLI.run([Self.python, "-c", "import airflow"])
        guard hasAirflow == 0 else {
            throw XCTSkip("Airflow is not importable by \(Self.python) (pip install apache-airflow in a virtualenv and set LENS_AIRFLOW_PYTHON to its python)")
        }
        let script = CLI.repo + "/Tests/LensCLITests/Scripts/render_airflow_dag.py"
        let home = CLI.tempDir("airflow")
        let (status, out, err) = try CLI.run([Self.python, script, CLI.repo + "/pipelines/airflow/lens_movielens.py", home + "/rendered.json"],
                                             env: ["AIRFLOW_HOME": home])
        XCTAssertEqual(status, 0, out + err)
        let data = try Data(contentsOf: URL(fileURLWithPath: home + "/rendered.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(json["import_errors"] as? [String: String], [:])
        XCTAssertEqual(json["commands"] as? [String: String], [
            "lens_movielens_load.lens_run": "lens run --source data/sample --out /var/lib/lens/out --hold-back-buffer --database '' --format json",
            "lens_movielens_load.lens_check": "lens check --database ''",
            "lens_movielens_load.lens_report": "lens report --out /var/lib/lens/report.html --database ''",
            "lens_movielens_weekly_batch.lens_append": "lens append --next --database ''",
            "lens_movielens_weekly_batch.lens_drift": "lens drift --database ''",
        ])
    }
}
