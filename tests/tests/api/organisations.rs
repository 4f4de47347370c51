//! Organisations: codes, CVR, parents, admin-only management, and each user's scope.

use brobygger_tests::test_both;
use serde_json::json;

test_both! {
    async fn an_admin_creates_reads_and_lists_organisations(app) {
        let created = app
            .post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": "Vejle Kommune", "kind": "municipality", "municipality_code": "630", "region_code": "1083"}))
            .await;
        created.assert_status(201);
        let id = created.id();
        assert_eq!(created.header("location"), Some(format!("/api/v1/organisations/{id}").as_str()));
        assert_eq!(created.header("etag"), Some("\"1\""));
        assert_eq!(created.body["version"], 1);
        let jobcentre = app.organisation("Jobcenter Vejle", "jobcentre", json!({"parent_id": id, "municipality_code": "630"})).await;
        let employer = app.organisation("Æblegården ApS", "employer", json!({"cvr": "10150817"})).await;
        let read = app.get(&format!("/api/v1/organisations/{jobcentre}")).token(&app.admin_token).send().await;
        read.assert_status(200);
        assert_eq!(read.body["parent_id"], id.as_str());
        assert_eq!(read.header("etag"), Some("\"1\""));
        let children = app.get(&format!("/api/v1/organisations?parent_id={id}")).token(&app.admin_token).send().await;
        assert_eq!(children.ids(), [jobcentre.as_str()]);
        let employers = app.get("/api/v1/organisations?kind=employer").token(&app.admin_token).send().await;
        assert_eq!(employers.ids(), [employer]);
        assert_eq!(app.get("/api/v1/organisations/00000000-0000-7000-8000-000000000000").token(&app.admin_token).send().await.status, 404);
        assert_eq!(app.get("/api/v1/organisations/not-a-uuid").token(&app.admin_token).send().await.status, 404);
    }
}

test_both! {
    async fn bad_organisations_list_every_field_and_store_nothing(app) {
        let before = app.get("/api/v1/organisations").token(&app.admin_token).send().await.ids();
        let response = app
            .post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": "", "kind": "municipality", "municipality_code": "999", "region_code": "1090", "cvr": "12345678"}))
            .await;
        response.assert_problem(422, "validation");
        assert_eq!(response.error_fields(), ["cvr", "municipality_code", "name", "region_code"]);
        let codes: Vec<_> = response.body["errors"].as_array().expect("errors").iter().map(|e| e["code"].as_str().unwrap_or_default().to_owned()).collect();
        assert!(codes.contains(&"invalid_checksum".to_owned()) && codes.contains(&"unknown_code".to_owned()), "{codes:?}");

        let wrong_types = app
            .post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": 7, "kind": "castle", "parent_id": "nope", "id": "x", "version": 3, "colour": "red"}))
            .await;
        wrong_types.assert_problem(422, "validation");
        assert_eq!(wrong_types.error_fields(), ["colour", "id", "kind", "name", "parent_id", "version"]);

        app.post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": "Region X", "kind": "region"}))
            .await
            .assert_problem(422, "validation");
        let too_long = app
            .post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": "x".repeat(201), "kind": "other"}))
            .await;
        too_long.assert_problem(422, "validation");
        assert_eq!(too_long.error_fields(), ["name"]);
        let unknown_parent = app
            .post("/api/v1/organisations")
            .token(&app.admin_token)
            .json(json!({"name": "Orphan", "kind": "other", "parent_id": "00000000-0000-7000-8000-000000000000"}))
            .await;
        unknown_parent.assert_problem(422, "validation");
        assert_eq!(unknown_parent.error_fields(), ["parent_id"]);
        let after = app.get("/api/v1/organisations").token(&app.admin_token).send().await.ids();
        assert_eq!(before, after, "nothing was stored");
    }
}

test_both! {
    async fn parents_never_form_a_cycle(app) {
        let region = app.organisation("Region Syddanmark", "region", json!({"region_code": "1083"})).await;
        let centre = app.organisation("Psykiatrien i Region Syddanmark", "psychiatry", json!({"parent_id": region})).await;
        let unit = app.organisation("Distriktspsykiatrien Vejle", "psychiatry", json!({"parent_id": centre})).await;
        let current = app.get(&format!("/api/v1/organisations/{region}")).token(&app.admin_token).send().await;
        let cycle = app
            .patch(&format!("/api/v1/organisations/{region}"))
            .token(&app.admin_token)
            .if_match(current.version())
            .merge_patch(json!({"parent_id": unit}))
            .await;
        cycle.assert_problem(422, "validation");
        assert_eq!(cycle.body["errors"][0]["code"], "cycle");
        let own = app
            .patch(&format!("/api/v1/organisations/{region}"))
            .token(&app.admin_token)
            .if_match(current.version())
            .merge_patch(json!({"parent_id": region}))
            .await;
        own.assert_problem(422, "validation");
        let unchanged = app.get(&format!("/api/v1/organisations/{region}")).token(&app.admin_token).send().await;
        assert_eq!(unchanged.body["parent_id"], serde_json::Value::Null);
        assert_eq!(unchanged.version(), 1);
    }
}

test_both! {
    async fn patch_needs_if_match_and_refuses_stale_versions_and_server_fields(app) {
        let id = app.municipality("Kolding Kommune", "621").await;
        let path = format!("/api/v1/organisations/{id}");
        app.patch(&path).token(&app.admin_token).merge_patch(json!({"name": "Kolding"})).await.assert_problem(428, "precondition_required");
        app.patch(&path).token(&app.admin_token).if_match(7).merge_patch(json!({"name": "Kolding"})).await.assert_problem(412, "version_mismatch");
        let forbidden = app.patch(&path).token(&app.admin_token).if_match(1).merge_patch(json!({"id": "x", "version": 9, "created_at": "2020-01-01T00:00:00Z", "shoe": 1})).await;
        forbidden.assert_problem(422, "validation");
        assert_eq!(forbidden.error_fields(), ["created_at", "id", "shoe", "version"]);
        let changed = app.patch(&path).token(&app.admin_token).if_match(1).merge_patch(json!({"name": "Kolding Kommune, Social", "cvr": "29189919"})).await;
        changed.assert_status(200);
        assert_eq!(changed.version(), 2);
        assert_eq!(changed.header("etag"), Some("\"2\""));
        assert_eq!(changed.body["municipality_code"], "621", "unpatched fields are kept");
        // The old version is now stale.
        app.patch(&path).token(&app.admin_token).if_match(1).merge_patch(json!({"name": "x"})).await.assert_problem(412, "version_mismatch");
        // Clearing a required code with null is refused for a municipality.
        app.patch(&path).token(&app.admin_token).if_match(2).merge_patch(json!({"municipality_code": null})).await.assert_problem(422, "validation");
        // Weak ETags and application/json are accepted too.
        app.patch(&path)
            .token(&app.admin_token)
            .header("if-match", "W/\"2\"")
            .json(json!({"name": "Kolding Kommune"}))
            .await
            .assert_status(200);
    }
}

test_both! {
    async fn others_see_only_their_own_organisation_and_cannot_manage(app) {
        let vejle = app.municipality("Vejle Kommune", "630").await;
        let aarhus = app.municipality("Aarhus Kommune", "751").await;
        let (_, coordinator) = app.user_with_token("coord.vejle", "coordinator", &vejle).await;
        app.get(&format!("/api/v1/organisations/{vejle}")).token(&coordinator).send().await.assert_status(200);
        app.get(&format!("/api/v1/organisations/{aarhus}")).token(&coordinator).send().await.assert_problem(404, "not_found");
        assert_eq!(app.get("/api/v1/organisations").token(&coordinator).send().await.ids(), [vejle.as_str()]);
        app.post("/api/v1/organisations")
            .token(&coordinator)
            .json(json!({"name": "Ny", "kind": "other"}))
            .await
            .assert_problem(403, "forbidden");
        app.patch(&format!("/api/v1/organisations/{vejle}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"name": "Mine"}))
            .await
            .assert_problem(403, "forbidden");
        // Another tenant's organisation does not exist for them, even to change.
        app.patch(&format!("/api/v1/organisations/{aarhus}"))
            .token(&coordinator)
            .if_match(1)
            .merge_patch(json!({"name": "Mine"}))
            .await
            .assert_problem(404, "not_found");
        let aarhus_now = app.get(&format!("/api/v1/organisations/{aarhus}")).token(&app.admin_token).send().await;
        assert_eq!(aarhus_now.body["name"], "Aarhus Kommune");
    }
}

test_both! {
    async fn lists_page_by_cursor_and_sync_by_updated_since(app) {
        let mut created = Vec::new();
        for (name, code) in [("Esbjerg", "561"), ("Fredericia", "607"), ("Vejle", "630"), ("Kolding", "621"), ("Randers", "730")] {
            created.push(app.municipality(name, code).await);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/organisations?limit=2&kind=municipality&cursor={c}"),
                None => "/api/v1/organisations?limit=2&kind=municipality".to_owned(),
            };
            let page = app.get(&path).token(&app.admin_token).send().await;
            page.assert_status(200);
            assert!(page.ids().len() <= 2);
            seen.extend(page.ids());
            match page.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen, created, "every item once, in creation order");

        app.clock.advance(chrono::TimeDelta::seconds(10));
        let since = app.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        app.clock.advance(chrono::TimeDelta::seconds(1));
        let id = &created[2];
        app.patch(&format!("/api/v1/organisations/{id}")).token(&app.admin_token).if_match(1).merge_patch(json!({"name": "Vejle Kommune"})).await.assert_status(200);
        let changed = app.get(&format!("/api/v1/organisations?updated_since={since}")).token(&app.admin_token).send().await;
        assert_eq!(changed.ids(), [id.as_str()]);

        for bad in ["limit=0", "limit=201", "limit=abc", "cursor=%%%", "cursor=bm90LWEtdXVpZA", "updated_since=yesterday", "kind=castle", "municipality_code=999"] {
            let response = app.get(&format!("/api/v1/organisations?{bad}")).token(&app.admin_token).send().await;
            assert_eq!(response.status, 422, "{bad}: {}", response.text);
            assert_eq!(response.code(), "validation", "{bad}");
        }
    }
}
