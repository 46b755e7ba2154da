//! End-to-end tests of `leadscore rules check | text | score | backtest`.

mod common;

use std::path::Path;

use common::{TestResult, leadscore, write_files};

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/rules");
const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/training-data/sample");

fn model(name: &str) -> String {
    format!("{MODELS}/{name}")
}

/// A small folder: one contact-based, one account-based and one unscorable lead.
fn folder(dir: &Path) -> std::io::Result<()> {
    write_files(
        dir,
        &[
            (
                "accounts.csv",
                "account_id,name,employees\nA1,Acme,1200\nA2,Tiny,4\n",
            ),
            (
                "contacts.csv",
                "contact_id,account_id,job_title,visitor_id\nC1,A1,Chief Data Officer,V1\nC2,A2,Analyst,\n",
            ),
            (
                "leads.csv",
                "lead_id,created_at,contact_id,account_id,source,status,closed_at\n\
                 L1,2026-01-01,C1,,Referral,qualified,2026-03-01\n\
                 L2,2026-01-01,,A2,Web,disqualified,2026-03-01\n\
                 L3,2026-01-01,,,Web,,\n",
            ),
            (
                "interactions.csv",
                "interaction_id,kind,occurred_at,contact_id,visitor_id,url\n\
                 I1,EmailClicked,2026-02-01T10:00:00Z,C1,,\n\
                 I2,EmailClicked,2026-02-02T10:00:00Z,,V1,\n\
                 I3,EmailClicked,2026-04-01T10:00:00Z,C1,,\n\
                 I4,FormSubmitted,2026-02-20T10:00:00Z,C2,,\n",
            ),
        ],
    )
}

/// `leadscore rules score MODEL --data DATA --at 2026-03-01 --out OUT`.
fn score_one_model(model: &Path, data: &Path, out: &Path) -> Result<common::Run, &'static str> {
    Ok(leadscore(&[
        "rules",
        "score",
        model.to_str().ok_or("path")?,
        "--data",
        data.to_str().ok_or("path")?,
        "--at",
        "2026-03-01",
        "--out",
        out.to_str().ok_or("path")?,
    ]))
}

const SMALL_MODEL: &str = r#"
name: Small
target: contact
sales_ready: 20
grades: [ { name: Low, max: 9 }, { name: High, min: 10 } ]
rules:
  - name: Clicks
    when: [ { entity: EmailClicked, frequency: each, within: 60d } ]
    points: 5
  - name: Senior
    when: [ { entity: Contact, where: [ { field: job_title, op: starts_with, value: chief } ] } ]
    points: 10
"#;

#[test]
fn check_accepts_the_shipped_models() -> TestResult {
    let out = leadscore(&[
        "rules",
        "check",
        &model("engagement.yaml"),
        &model("fit.yaml"),
        &model("account-intent.yaml"),
        "--data",
        SAMPLE,
    ])
    .success()?;
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok: ")).count(),
        3,
        "{out}"
    );
    Ok(())
}

#[test]
fn check_reports_every_problem_with_its_place_and_exits_1() -> TestResult {
    let dir = tempfile::tempdir()?;
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "name: Bad\ntarget: contact\nrules:\n  - name: r\n    when: [ { entity: Lead, where: [ { field: source, op: equals, value: Web } ] } ]\n    points: 2.5\n",
    )?;
    let run = leadscore(&["rules", "check", bad.to_str().ok_or("path")?]);
    let code = run.code();
    let err = run.failure()?;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("rules[0].when[0].where[0].op: unknown operator \"equals\""),
        "{err}"
    );
    assert!(err.contains("rules[0].points"), "{err}");
    assert!(err.starts_with("error: "), "{err}");
    Ok(())
}

#[test]
fn check_against_a_folder_flags_fields_no_record_has() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("m.yaml");
    std::fs::write(
        &m,
        "name: M\ntarget: contact\nrules:\n  - name: r\n    when: [ { entity: Lead, where: [ { field: budget_band, op: is_not_empty } ] } ]\n    points: 1\n",
    )?;
    let m = m.to_str().ok_or("path")?;
    leadscore(&["rules", "check", m]).success()?;
    let err = leadscore(&[
        "rules",
        "check",
        m,
        "--data",
        dir.path().to_str().ok_or("path")?,
    ])
    .failure()?;
    assert!(err.contains("rules[0].when[0].where[0].field"), "{err}");
    Ok(())
}

#[test]
fn text_renders_one_line_per_rule() -> TestResult {
    let out = leadscore(&["rules", "text", &model("engagement.yaml")]).success()?;
    let rules = out.lines().filter(|l| l.starts_with("RULE ")).count();
    assert_eq!(rules, 9, "{out}");
    assert!(out.contains(
        "RULE \"Clicked marketing emails\" +4 EACH (CAP 16): EmailClicked WITHIN 180d HALF-LIFE 30d"
    ));
    Ok(())
}

#[test]
fn score_writes_one_row_per_lead_and_model() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("small.yaml");
    std::fs::write(&m, SMALL_MODEL)?;
    let out = dir.path().join("scores.csv");
    let explain = dir.path().join("explain.jsonl");
    leadscore(&[
        "rules",
        "score",
        m.to_str().ok_or("path")?,
        &model("account-intent.yaml"),
        "--data",
        dir.path().to_str().ok_or("path")?,
        "--at",
        "2026-03-01",
        "--out",
        out.to_str().ok_or("path")?,
        "--explain",
        explain.to_str().ok_or("path")?,
    ])
    .success()?;
    let csv = std::fs::read_to_string(&out)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "lead_id,model,score,grade,sales_ready,reason");
    assert_eq!(lines.len(), 1 + 3 * 2, "{csv}");
    // L1: two clicks by 2026-03-01 (one through the visitor id; I3 is later) and a
    // senior contact: 5 + 5 + 10 = 20, which reaches the threshold.
    assert_eq!(lines[1], "L1,Small,20,High,true,");
    assert!(
        lines[3].starts_with("L2,Small,,,false,not targeted"),
        "{csv}"
    );
    assert!(lines[5].starts_with("L3,Small,,,false,unscorable"), "{csv}");
    // L2 is account-based: the account's contact submitted a form.
    assert!(lines[4].starts_with("L2,Account intent,10,"), "{csv}");
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&explain)?
            .lines()
            .next()
            .ok_or("empty")?,
    )?;
    assert_eq!(first["rules"][0]["rule"], "Clicks");
    assert_eq!(
        first["rules"][0]["conditions"][0]["interactions"][1]["id"],
        "I2"
    );
    Ok(())
}

/// A lead id or grade a spreadsheet would run as a formula is written as
/// text (a leading `'`), as OWASP recommends against CSV injection.
#[test]
fn score_neutralizes_formula_cells() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    write_files(
        dir.path(),
        &[(
            "leads.csv",
            "lead_id,created_at,contact_id
\"=HYPERLINK(\"\"http://evil\"\")\",2026-01-01,C1\n@SUM(1),2026-01-01,C1\n",
        )],
    )?;
    let m = dir.path().join("small.yaml");
    std::fs::write(&m, SMALL_MODEL.replace("name: High", "name: \"=High\""))?;
    let out = dir.path().join("scores.csv");
    score_one_model(&m, dir.path(), &out)?.success()?;
    let mut rows = csv::Reader::from_path(&out)?;
    let rows: Vec<csv::StringRecord> = rows.records().collect::<Result<_, _>>()?;
    let cells: Vec<(&str, &str)> = rows.iter().map(|r| (&r[0], &r[3])).collect();
    assert_eq!(
        cells,
        [
            ("'=HYPERLINK(\"http://evil\")", "'=High"),
            ("'@SUM(1)", "'=High")
        ]
    );
    Ok(())
}

#[test]
fn score_reports_bad_data_with_its_place() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    write_files(
        dir.path(),
        &[(
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,yesterday,C1\n",
        )],
    )?;
    let out = dir.path().join("scores.csv");
    let err = leadscore(&[
        "rules",
        "score",
        &model("engagement.yaml"),
        "--data",
        dir.path().to_str().ok_or("path")?,
        "--out",
        out.to_str().ok_or("path")?,
    ])
    .failure()?;
    assert!(err.contains("interactions.csv"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("occurred_at"), "{err}");
    assert!(!out.exists(), "a failed run leaves no output file");
    Ok(())
}

/// A model that reads no interaction does not read the interactions file
/// (the slow part of a real folder): a bad record in it does not stop the
/// run, and the scores are those of the whole folder; its header is still
/// checked, and a model that reads interactions still reads every record.
#[test]
fn score_reads_only_the_files_its_models_read() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let run = |data: &Path, out: &Path| {
        leadscore(&[
            "rules",
            "score",
            &model("fit.yaml"),
            "--data",
            data.to_str().unwrap_or_default(),
            "--at",
            "2026-03-01",
            "--out",
            out.to_str().unwrap_or_default(),
            "--json",
        ])
    };
    let whole = dir.path().join("whole.csv");
    let summary: serde_json::Value = serde_json::from_str(&run(dir.path(), &whole).success()?)?;
    assert_eq!(summary["not_read"], serde_json::json!(["interactions.csv"]));

    let bad = tempfile::tempdir()?;
    folder(bad.path())?;
    write_files(
        bad.path(),
        &[(
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,yesterday,C9\n",
        )],
    )?;
    let out = dir.path().join("bad.csv");
    let text = leadscore(&[
        "rules",
        "score",
        &model("fit.yaml"),
        "--data",
        bad.path().to_str().ok_or("path")?,
        "--at",
        "2026-03-01",
        "--out",
        out.to_str().ok_or("path")?,
    ])
    .success()?;
    assert!(
        text.contains("not read, as no model reads them (headers checked): interactions.csv"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(&out)?,
        std::fs::read_to_string(&whole)?
    );

    // The header is checked all the same.
    write_files(
        bad.path(),
        &[(
            "interactions.csv",
            "interaction_id,occurred_at,contact_id\nI1,2026-02-01,C1\n",
        )],
    )?;
    let err = run(bad.path(), &out).failure()?;
    assert!(err.contains("interactions.csv"), "{err}");
    assert!(err.contains("kind"), "{err}");

    // With a model that reads interactions, the bad record stops the run.
    write_files(
        bad.path(),
        &[(
            "interactions.csv",
            "interaction_id,kind,occurred_at,contact_id\nI1,EmailClicked,yesterday,C1\n",
        )],
    )?;
    let err = leadscore(&[
        "rules",
        "score",
        &model("fit.yaml"),
        &model("engagement.yaml"),
        "--data",
        bad.path().to_str().ok_or("path")?,
        "--out",
        out.to_str().ok_or("path")?,
    ])
    .failure()?;
    assert!(
        err.contains("interactions.csv") && err.contains("line 2"),
        "{err}"
    );
    Ok(())
}

#[test]
fn backtest_reports_auc_and_conversion_by_grade() -> TestResult {
    let out = leadscore(&[
        "rules",
        "backtest",
        &model("engagement.yaml"),
        &model("fit.yaml"),
        "--data",
        SAMPLE,
        "--json",
    ])
    .success()?;
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert!(v["closed_leads"].as_u64().ok_or("closed_leads")? > 1000);
    for m in v["models"].as_array().ok_or("models")? {
        let auc = m["auc"].as_f64().ok_or("auc")?;
        // Hand-written rules on the generated data rank better than chance.
        assert!(auc > 0.6, "{m}");
        // Average precision beats the base rate a random order would get.
        let pr_auc = m["pr_auc"].as_f64().ok_or("pr_auc")?;
        let base = m["overall"]["conversion_rate"].as_f64().ok_or("rate")?;
        assert!(pr_auc > base, "{m}");
        assert!(m["top_decile_lift"].as_f64().ok_or("lift")? > 1.0, "{m}");
        let graded: u64 = m["grades"]
            .as_array()
            .ok_or("grades")?
            .iter()
            .filter_map(|g| g["leads"].as_u64())
            .sum();
        assert_eq!(graded, m["scored"].as_u64().ok_or("scored")?);
    }
    Ok(())
}

#[test]
fn score_warns_about_fields_no_record_of_the_folder_has() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("typo.yaml");
    std::fs::write(
        &m,
        "name: Typo\ntarget: contact\nrules:\n  - name: r\n    when: [ { entity: Lead, where: [ { field: budget_bnd, op: is_empty } ] } ]\n    points: 1\n",
    )?;
    let out = dir.path().join("scores.csv");
    let run = score_one_model(&m, dir.path(), &out)?;
    let stderr = run.stderr();
    run.success()?;
    assert!(
        stderr.contains("warning: model \"Typo\": rules[0].when[0].where[0].field"),
        "{stderr}"
    );
    // The field reads as absent, so `is_empty` holds for the scored lead.
    let csv = std::fs::read_to_string(&out)?;
    assert!(csv.contains("L1,Typo,1,"), "{csv}");
    Ok(())
}

/// Logs are JSON lines with `--log-format json`, and text without colour
/// codes when stderr is not a terminal (issue 17).
#[test]
fn logs_are_json_lines_or_plain_text() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("small.yaml");
    std::fs::write(&m, SMALL_MODEL)?;
    let elsewhere = tempfile::tempdir()?;
    let out = elsewhere.path().join("scores.csv");
    let run = |format: &str| -> Result<String, Box<dyn std::error::Error>> {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_leadscore"))
            .args(["--log-format", format, "rules", "score"])
            .arg(&m)
            .arg("--data")
            .arg(dir.path())
            .args(["--at", "2026-03-01", "--out"])
            .arg(&out)
            .env("RUST_LOG", "info")
            .env_remove("LEADSCORE_LOG_FORMAT")
            .output()?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned().into());
        }
        Ok(String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let json = run("json")?;
    let lines: Vec<serde_json::Value> = json
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert!(
        lines
            .iter()
            .any(|l| l["level"] == "INFO" && l["fields"]["message"] == "streamed"),
        "{json}"
    );
    let text = run("text")?;
    assert!(text.contains("streamed"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in {text:?}");
    Ok(())
}

/// A model reading the lead's `source` with a typo in the field's name and
/// comparing it with a value no lead has.
const TYPO_MODEL: &str = "name: Typos\ntarget: contact\nrules:\n  - name: field\n    when: [ { entity: Lead, where: [ { field: sorce, op: is_not_empty } ] } ]\n    points: 1\n";
const VALUE_MODEL: &str = "name: Values\ntarget: contact\nrules:\n  - name: referred\n    when: [ { entity: Lead, where: [ { field: source, op: eq, value: Referal } ] } ]\n    points: 1\n";

/// The field typo of [`TYPO_MODEL`], as `rules check` reports it.
const SORCE: &str = "rules[0].when[0].where[0].field: a lead has no field `sorce` (did you mean \
                     `source`?); its fields are lead_id, created_at, contact_id, account_id, \
                     topic, source, status, closed_at, disqualify_reason";

/// Imports the small folder into a new SQLite store: its `--database` value.
fn imported(dir: &Path) -> Result<String, Box<dyn std::error::Error>> {
    let db = dir.join("store.db").to_str().ok_or("path")?.to_owned();
    leadscore(&["import", dir.to_str().ok_or("path")?, "--database", &db]).success()?;
    Ok(db)
}

#[test]
fn check_reports_field_typos_against_a_folder_and_a_store() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("typo.yaml");
    std::fs::write(&m, TYPO_MODEL)?;
    let m = m.to_str().ok_or("path")?;
    let expected = format!("error: {m}: {SORCE}\n1 problem in 1 of 1 model\n");

    let run = leadscore(&[
        "rules",
        "check",
        m,
        "--data",
        dir.path().to_str().ok_or("path")?,
    ]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stderr(), expected);

    let db = imported(dir.path())?;
    let run = leadscore(&["rules", "check", m, "--database", &db]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stderr(), expected);

    // A mistyped store is refused, not created.
    let typo = dir.path().join("typo.db");
    let run = leadscore(&[
        "rules",
        "check",
        m,
        "--database",
        typo.to_str().ok_or("path")?,
    ]);
    assert_eq!(run.code(), Some(1));
    assert!(
        run.stderr()
            .starts_with("error: there is no leadscore database at ")
    );
    assert!(!typo.exists());
    Ok(())
}

#[test]
fn check_warns_about_values_no_record_has_with_a_did_you_mean() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    let m = dir.path().join("values.yaml");
    std::fs::write(&m, VALUE_MODEL)?;
    let m = m.to_str().ok_or("path")?;
    let data = dir.path().to_str().ok_or("path")?;
    let warning = |whose: &str| {
        format!(
            "warning: {m}: rules[0].when[0].where[0].value: no lead {whose} has source \
             `Referal` (did you mean `Referral`?); its values are Web, Referral\n"
        )
    };

    let run = leadscore(&["rules", "check", m, "--data", data]);
    assert_eq!(run.stderr(), warning(&format!("in {data}")));
    assert_eq!(
        run.success()?,
        format!("ok: {m} (model \"Values\", 1 rules)\n")
    );

    let db = imported(dir.path())?;
    let run = leadscore(&["rules", "check", m, "--database", &db]);
    assert_eq!(run.stderr(), warning("in the store"));
    run.success()?;

    let out = leadscore(&["rules", "check", m, "--database", &db, "--json"]).success()?;
    let v: serde_json::Value = serde_json::from_str(&out)?;
    assert_eq!(v["ok"], true);
    assert_eq!(v["models"][0]["valid"], true);
    assert_eq!(
        v["models"][0]["warnings"],
        serde_json::json!([{
            "path": "rules[0].when[0].where[0].value",
            "message": "no lead in the store has source `Referal` (did you mean `Referral`?); \
                        its values are Web, Referral"
        }])
    );
    Ok(())
}

#[test]
fn check_reports_every_problem_of_every_model_at_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    folder(dir.path())?;
    // A shape mistake and a field typo in one model; a model that is not
    // YAML; a model file that is not there; a good one.
    let both = dir.path().join("both.yaml");
    std::fs::write(&both, TYPO_MODEL.replace("points: 1", "points: 2.5"))?;
    let syntax = dir.path().join("syntax.yaml");
    std::fs::write(&syntax, "name: [unclosed\n")?;
    let absent = dir.path().join("absent.yaml");
    let good = dir.path().join("good.yaml");
    std::fs::write(&good, VALUE_MODEL.replace("Referal", "Web"))?;
    let [both, syntax, absent, good] =
        [&both, &syntax, &absent, &good].map(|p| p.to_str().unwrap_or_default().to_owned());
    let run = leadscore(&[
        "rules",
        "check",
        &both,
        &syntax,
        &absent,
        &good,
        "--data",
        dir.path().to_str().ok_or("path")?,
    ]);
    assert_eq!(run.code(), Some(1));
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines,
        [
            format!("error: {both}: {SORCE}"),
            format!("  also: {both}: rules[0].points: expected an integer, found the number 2.5"),
            format!(
                "  also: {syntax}: not valid YAML: did not find expected ',' or ']' at line 2 \
                 column 1, while parsing a flow sequence at line 1 column 7"
            ),
            format!(
                "  also: {absent}: cannot read the model: No such file or directory (os error 2)"
            ),
            "4 problems in 3 of 4 models".to_owned(),
        ],
        "{stderr}"
    );
    Ok(())
}

/// A model that reads what parts must keep together: an interaction's lead
/// (a hop to another record), an interaction property, and a custom entity.
const HOPPING_MODEL: &str = r#"
name: Hops
target: contact
grades: [ { name: Low, max: 9 }, { name: High, min: 10 } ]
rules:
  - name: Pricing pages of referred leads
    when:
      - entity: WebsiteVisited.Lead
        frequency: each
        within: 365d
        where: [ { field: source, op: eq, value: Referral } ]
    points: 2
    cap: 20
  - name: Visited pricing
    when:
      - { entity: WebsiteVisited, where: [ { field: url, op: contains, value: pricing } ] }
    points: 5
  - name: Held a discovery meeting
    when:
      - { entity: Lead.Meeting, where: [ { field: meeting_type, op: eq, value: Discovery } ] }
    points: 7
"#;

/// `rules score` of `models` on `data` as of `at`, with `extra` arguments,
/// into `out` (and its explanations beside it); gives the score file, the
/// explanations and the summary.
fn rules_score(
    models: &[&str],
    data: &Path,
    at: &str,
    out: &Path,
    extra: &[&str],
) -> Result<(String, String, serde_json::Value), Box<dyn std::error::Error>> {
    let explain = out.with_extension("jsonl");
    let mut args = vec!["rules", "score"];
    args.extend_from_slice(models);
    args.extend_from_slice(&[
        "--data",
        data.to_str().ok_or("path")?,
        "--at",
        at,
        "--out",
        out.to_str().ok_or("path")?,
        "--explain",
        explain.to_str().ok_or("path")?,
        "--json",
    ]);
    args.extend_from_slice(extra);
    let stdout = leadscore(&args).success()?;
    Ok((
        std::fs::read_to_string(out)?,
        std::fs::read_to_string(&explain)?,
        serde_json::from_str(stdout.trim())?,
    ))
}

#[test]
fn score_in_parts_writes_the_files_the_whole_folder_gives() -> TestResult {
    let dir = tempfile::tempdir()?;
    let hops = dir.path().join("hops.yaml");
    std::fs::write(&hops, HOPPING_MODEL)?;
    let (fit, engagement, intent) = (
        model("fit.yaml"),
        model("engagement.yaml"),
        model("account-intent.yaml"),
    );
    let models = [
        fit.as_str(),
        engagement.as_str(),
        intent.as_str(),
        hops.to_str().ok_or("path")?,
    ];
    let sample = Path::new(SAMPLE);
    let at = "2025-06-01";
    let (scores, explained, whole) =
        rules_score(&models, sample, at, &dir.path().join("whole.csv"), &[])?;
    assert_eq!(whole["parts"], 1);
    assert_eq!(scores.lines().count(), 1 + 5000 * 4);
    // The hop and the property count somewhere, or this test proves little.
    assert!(explained.contains("Pricing pages of referred leads"));
    assert!(explained.contains("Visited pricing"));
    assert!(explained.contains("Held a discovery meeting"));
    for per_part in ["1", "37", "1000"] {
        let out = dir.path().join(format!("parts-{per_part}.csv"));
        let (in_parts, explained_in_parts, summary) =
            rules_score(&models, sample, at, &out, &["--leads-per-part", per_part])?;
        assert!(
            summary["parts"].as_u64().is_some_and(|p| p > 1),
            "{summary}"
        );
        assert!(in_parts == scores, "{per_part} a part: the scores differ");
        assert!(
            explained_in_parts == explained,
            "{per_part} a part: the explanations differ"
        );
        for key in [
            "leads",
            "interactions",
            "unattributed_interactions",
            "rows",
            "models",
            "not_read",
        ] {
            assert_eq!(summary[key], whole[key], "{key} with {per_part} a part");
        }
    }
    // A model that reads no interaction reads no interaction file, in parts too.
    let fit = [fit.as_str()];
    let (whole_fit, _, whole) = rules_score(&fit, sample, at, &dir.path().join("fit.csv"), &[])?;
    let out = dir.path().join("fit-parts.csv");
    let (fit_in_parts, _, summary) =
        rules_score(&fit, sample, at, &out, &["--leads-per-part", "100"])?;
    assert!(
        summary["parts"].as_u64().is_some_and(|p| p > 1),
        "{summary}"
    );
    assert_eq!(fit_in_parts, whole_fit);
    assert_eq!(summary["not_read"], whole["not_read"]);
    let not_read = summary["not_read"].as_array().ok_or("not_read")?;
    assert!(
        not_read.iter().any(|f| f == "interactions.csv"),
        "{summary}"
    );
    // Nothing is left beside the outputs.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    left.sort();
    assert!(
        left.iter().all(|name| !name.starts_with(".leadscore")),
        "{left:?}"
    );
    Ok(())
}

/// An interaction can name a lead of another account than its contact's; a
/// rule hopping to that lead must find it in the interaction's part.
#[test]
fn an_interactions_lead_is_read_with_it_in_parts() -> TestResult {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    write_files(
        &data,
        &[
            (
                "accounts.csv",
                "account_id,name\nA1,One\nA2,Two\nA3,Three\n",
            ),
            (
                "contacts.csv",
                "contact_id,account_id\nC1,A1\nC2,A2\nC3,A3\n",
            ),
            (
                "leads.csv",
                "lead_id,created_at,contact_id,source\n\
                 L1,2026-01-01,C1,Web\n\
                 L2,2026-01-01,C2,Referral\n\
                 L3,2026-01-01,C3,Web\n",
            ),
            (
                "interactions.csv",
                "interaction_id,kind,occurred_at,contact_id,lead_id,visitor_id,url\n\
                 I1,WebsiteVisited,2026-02-01T10:00:00Z,C1,L2,,https://x.test/pricing\n\
                 I2,WebsiteVisited,2026-02-02T10:00:00Z,C3,,,https://x.test/\n\
                 I3,WebsiteVisited,2026-02-03T10:00:00Z,,L3,V9,https://x.test/\n",
            ),
        ],
    )?;
    let hops = dir.path().join("hops.yaml");
    std::fs::write(&hops, HOPPING_MODEL)?;
    let models = [hops.to_str().ok_or("path")?];
    let (whole, _, summary) = rules_score(
        &models,
        &data,
        "2026-03-01",
        &dir.path().join("whole.csv"),
        &[],
    )?;
    // C1's visit names L2, a referral: C1's lead L1 gets the hop's points.
    assert!(whole.contains("L1,Hops,7,Low"), "{whole}");
    assert_eq!(summary["unattributed_interactions"], 1);
    let (parts, _, in_parts) = rules_score(
        &models,
        &data,
        "2026-03-01",
        &dir.path().join("parts.csv"),
        &["--leads-per-part", "1"],
    )?;
    assert_eq!(parts, whole);
    // L1 and L2 are read together; L3 alone.
    assert_eq!(in_parts["parts"], 2);
    assert_eq!(in_parts["interactions"], summary["interactions"]);
    assert_eq!(in_parts["unattributed_interactions"], 1);
    Ok(())
}
