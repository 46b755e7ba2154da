//! The console's overview and leads table over HTTP with a signed-in
//! client: the figures, the table's names and companies, every filter, the
//! orders (by name and company too), the pages, a bad filter shown at its field, and the CSV and
//! Excel exports holding exactly the table's rows, on SQLite and PostgreSQL.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use leadscore_engine::Role;
use leadscore_engine::users;
use leadscore_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::console_support::{Answer, PASSWORD, browser, get, sign_in};
use crate::support::{App, ENGAGEMENT, spawn};

const LEADS: usize = 60;
const COMPANIES: [(&str, i64); 3] = [("Acme", 100), ("Globex", 1000), ("Initech", 50)];

/// 60 leads of three companies; lead `i` has `i % 4` email clicks (10
/// points each) and Globex's leads 20 more points; every third lead comes
/// from a partner; lead 59 is closed.
async fn seed_leads(app: &App) {
    app.put_model("Engagement", ENGAGEMENT).await;
    for (a, (name, employees)) in COMPANIES.iter().enumerate() {
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/v1/accounts/A{a}"),
                Some(&app.ingest),
                Some(&json!({"name": name, "employees": employees})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let now = chrono::Utc::now();
    let mut interactions = Vec::new();
    for i in 0..LEADS {
        let account = format!("A{}", i % 3);
        let contact = json!({
            "account_id": account,
            "first_name": format!("Ann{i:02}"),
            "last_name": "Lee",
            "email": format!("ann{i:02}@example.com"),
        });
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/v1/contacts/C{i:02}"),
                Some(&app.ingest),
                Some(&contact),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut lead = json!({
            "created_at": "2026-01-01",
            "contact_id": format!("C{i:02}"),
            "account_id": account,
            "source": if i % 3 == 0 { "Partner" } else { "Web" },
        });
        if i == LEADS - 1 {
            lead["status"] = json!("qualified");
            lead["closed_at"] = json!("2026-02-01");
        }
        let (status, body) = app
            .call(
                Method::PUT,
                &format!("/v1/leads/L{i:02}"),
                Some(&app.ingest),
                Some(&lead),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for k in 0..i % 4 {
            interactions.push(json!({
                "interaction_id": format!("I{i:02}-{k}"),
                "kind": "EmailClicked",
                "occurred_at": (now - chrono::Duration::hours(k as i64 + 1)).to_rfc3339(),
                "contact_id": format!("C{i:02}"),
            }));
        }
    }
    for chunk in interactions.chunks(100) {
        let (status, body) = app
            .call(
                Method::POST,
                "/v1/interactions",
                Some(&app.ingest),
                Some(&json!(chunk)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Every lead scored by the model, the clicks included.
    app.eventually("every lead scored", || async {
        let (status, body) = app
            .call(
                Method::GET,
                "/v1/rule-models/Engagement/scores?per_page=100",
                Some(&app.read),
                None,
            )
            .await;
        let scored = status == StatusCode::OK
            && body["total"] == LEADS
            && body["items"].as_array().is_some_and(|items| {
                items
                    .iter()
                    .any(|i| i["lead_id"] == "L03" && i["score"] == 30)
            });
        scored.then_some(())
    })
    .await;
    let depth = app.store.queue().depth().await.unwrap();
    assert_eq!(depth.leads, 0);
}

/// The table's rows: (lead id, primary score) in order, read from the
/// page's `<tbody>`.
fn rows(html: &str) -> Vec<(String, Option<i64>)> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let body = &html[start..html[start..].find("</tbody>").unwrap() + start];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            let id = row.split("<td class=\"muted\">").last().unwrap();
            let id = id.split('<').next().unwrap().to_owned();
            let score = row
                .split("<td class=\"num\">")
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .parse()
                .ok();
            (id, score)
        })
        .collect()
}

async fn page(app: &App, client: &reqwest::Client, query: &str) -> Answer {
    get(app, client, &format!("/console/leads{query}")).await
}

async fn overview_and_leads(db: TestDb) {
    let app = spawn(db).await;
    seed_leads(&app).await;
    users::create_user(&app.store, "ops@example.com", Role::Read, Some(PASSWORD))
        .await
        .unwrap();
    let client = browser();

    // Signing in is needed, and comes back to the view asked for.
    let out = page(&app, &client, "?grade=Hot&open=1").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        out.location,
        "/console/sign-in?next=%2Fconsole%2Fleads%3Fgrade%3DHot%26open%3D1"
    );
    let signed = sign_in(&app, &client, "ops@example.com", PASSWORD).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);

    // The overview's figures.
    let overview = get(&app, &client, "/console/").await;
    assert_eq!(overview.status, StatusCode::OK);
    let open = overview
        .body
        .split("Open leads</p><p class=\"figure\">")
        .nth(1)
        .unwrap();
    assert!(
        open.starts_with("<a href=\"/console/leads?open=1\">59</a>"),
        "{open}"
    );
    assert!(
        overview
            .body
            .contains("href=\"/console/leads?open=1&amp;grade=Hot\"")
    );
    assert!(overview.body.contains("Waiting for rescoring"));
    assert!(overview.body.contains("No conversion model is live"));

    // The first page: names, emails and companies, highest score first.
    let first = page(&app, &client, "").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(
        first.body.contains("Rows 1–50 of 60 (page 1 of 2)"),
        "{}",
        first.body
    );
    assert!(
        first
            .body
            .contains(">Ann07 Lee</a><br><span class=\"muted\">ann07@example.com</span>")
    );
    assert!(first.body.contains("<td>Globex</td>"));
    let listed = rows(&first.body);
    assert_eq!(listed.len(), 50);
    let scores: Vec<i64> = listed.iter().filter_map(|(_, s)| *s).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    // Lead 7 (Globex, 3 clicks) has 50 points: among the first.
    assert_eq!(listed[0].1, Some(50));
    let second = page(&app, &client, "?page=2").await;
    assert!(second.body.contains("Rows 51–60 of 60 (page 2 of 2)"));
    assert_eq!(rows(&second.body).len(), 10);

    // Ascending, by id, and the filters (each alone, then together).
    let ascending = rows(&page(&app, &client, "?sort=score").await.body);
    assert!(ascending.windows(2).all(|w| w[0].1 <= w[1].1));
    let by_id = rows(&page(&app, &client, "?sort=lead&per_page=100").await.body);
    let ids: Vec<&str> = by_id.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"L00"));
    assert_eq!(ids.len(), 60);
    let open = page(&app, &client, "?open=1&per_page=100").await.body;
    assert!(open.contains("of 59 "));
    assert!(!rows(&open).iter().any(|(id, _)| id == "L59"));
    let partner = rows(
        &page(&app, &client, "?source=Partner&per_page=100")
            .await
            .body,
    );
    assert_eq!(partner.len(), 20);
    assert!(
        partner
            .iter()
            .all(|(id, _)| id[1..].parse::<usize>().unwrap() % 3 == 0)
    );
    let hot = page(&app, &client, "?grade=Hot&per_page=100").await.body;
    let hot_rows = rows(&hot);
    assert!(!hot_rows.is_empty());
    assert!(
        hot_rows.iter().all(|(_, s)| s.unwrap() >= 30),
        "{hot_rows:?}"
    );
    let ready = rows(
        &page(&app, &client, "?sales_ready=yes&per_page=100")
            .await
            .body,
    );
    assert_eq!(ready.len(), hot_rows.len(), "sales-ready at 30, as Hot");
    let model = page(
        &app,
        &client,
        "?model=Engagement&grade=Cold&source=Web&open=1",
    )
    .await;
    assert!(model.body.contains("Score (Engagement)"));
    let cold = rows(&model.body);
    assert!(!cold.is_empty());
    assert!(
        cold.iter()
            .all(|(id, s)| s.unwrap() < 20 && id[1..].parse::<usize>().unwrap() % 3 != 0)
    );

    // By name ("Ann00 Lee" to "Ann59 Lee") and by company (Acme, Globex,
    // Initech; each company's leads by lead id), both ways.
    let ids = |body: &str| -> Vec<String> { rows(body).into_iter().map(|(id, _)| id).collect() };
    let by_id: Vec<String> = (0..LEADS).map(|i| format!("L{i:02}")).collect();
    let by_name = page(&app, &client, "?sort=name&per_page=100").await;
    assert_eq!(by_name.status, StatusCode::OK, "{}", by_name.body);
    assert_eq!(ids(&by_name.body), by_id);
    assert!(by_name.body.contains("aria-sort=\"ascending\""));
    let by_name_desc = page(&app, &client, "?sort=-name&per_page=100").await;
    let mut reversed = by_id.clone();
    reversed.reverse();
    assert_eq!(ids(&by_name_desc.body), reversed);
    let by_company = page(&app, &client, "?sort=company&per_page=100").await;
    let mut want: Vec<String> = by_id.clone();
    want.sort_by_key(|id| (id[1..].parse::<usize>().unwrap() % 3, id.clone()));
    assert_eq!(ids(&by_company.body), want);
    let by_company_desc = page(&app, &client, "?sort=-company&per_page=100").await;
    want.reverse();
    assert_eq!(ids(&by_company_desc.body), want);

    // A filter the store does not know is shown at its field.
    let bad = page(&app, &client, "?sort=size").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("id=\"sort-error\""), "{}", bad.body);
    let bad = page(&app, &client, "?model=Engagment").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body
            .contains("No rule model is named &quot;Engagment&quot;.")
    );

    // The exports hold the table's rows, in its order, with names.
    let view = "?source=Web&sort=-score";
    let table = rows(
        &page(&app, &client, &format!("{view}&per_page=100"))
            .await
            .body,
    );
    let csv = client
        .get(format!("{}/console/leads.csv{view}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"leads-")
    );
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[1], "name");
    assert!(header.iter().any(|h| h == "Engagement score"));
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let csv_ids: Vec<&str> = records.iter().map(|r| &r[0]).collect();
    let table_ids: Vec<&str> = table.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(csv_ids, table_ids);
    let l07 = records.iter().find(|r| &r[0] == "L07").unwrap();
    assert_eq!((&l07[1], &l07[3]), ("Ann07 Lee", "Globex"));

    let xlsx = client
        .get(format!("{}/console/leads.xlsx{view}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Leads").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::Bool(b) => b.to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(cells[0][..4], ["lead_id", "name", "email", "company"]);
    let xlsx_ids: Vec<&str> = cells[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(xlsx_ids, table_ids);
    let row = cells.iter().find(|r| r[0] == "L07").unwrap();
    assert_eq!(
        (row[1].as_str(), row[3].as_str(), row[6].as_str()),
        ("Ann07 Lee", "Globex", "50")
    );

    // The page only.
    let one = client
        .get(format!(
            "{}/console/leads.csv{view}&scope=page&per_page=5&page=2",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let paged: Vec<String> = csv::Reader::from_reader(one.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_owned())
        .collect();
    assert_eq!(paged, table_ids[5..10]);
    app.stop().await;
}

leadscore_store::on_both_backends!(overview_and_leads);
