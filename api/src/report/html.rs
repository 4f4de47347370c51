//! The programme report as a self-contained printable page (`Accept: text/html`): inline CSS
//! and inline SVG charts, no external asset, every text escaped. Each figure's cell carries
//! `data-figure` — the JSON pointer of the same figure in the JSON report.
//! Suppressed counts read "< 5", suppressed rates and medians "–".

use super::dto::{Amount, Count, ProgrammeReport};
use actix_web::HttpRequest;
use actix_web::http::header::ACCEPT;
use brobygger_domain::programme::Metric;
use brobygger_domain::workflow::TextEnum;
use std::fmt::Write;

/// Whether the request asks for the page: `Accept` names `text/html` (a browser's default).
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| media.split(';').next().unwrap_or("").trim() == "text/html")
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A count as printed: the number, or "< 5" when suppressed.
fn count_text(count: &Count) -> String {
    match count.value {
        Some(n) if !count.suppressed => n.to_string(),
        _ => "&lt; 5".to_owned(),
    }
}

/// A rate as printed, in percent to one decimal: "–" when suppressed or undefined.
fn rate_text(amount: &Amount) -> String {
    match amount.value {
        Some(v) if !amount.suppressed => format!("{:.1} %", v * 100.0),
        _ => "–".to_owned(),
    }
}

/// A median or an amount as printed, to two decimals: "–" when suppressed or undefined.
fn amount_text(amount: &Amount) -> String {
    match amount.value {
        Some(v) if !amount.suppressed => format!("{v:.2}"),
        _ => "–".to_owned(),
    }
}

fn cell(pointer: &str, text: &str) -> String {
    format!(
        "<td class=\"num\" data-figure=\"{}\">{text}</td>",
        escape(pointer)
    )
}

fn row(label: &str, cells: &[String]) -> String {
    format!("<tr><th>{}</th>{}</tr>", escape(label), cells.concat())
}

fn table(caption: &str, head: &[&str], rows: &[String]) -> String {
    let head: String = head
        .iter()
        .map(|h| format!("<th>{}</th>", escape(h)))
        .collect();
    let body = if rows.is_empty() {
        format!("<tr><td colspan=\"{}\">None</td></tr>", head.len().max(1))
    } else {
        rows.concat()
    };
    format!(
        "<table><caption>{}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
        escape(caption)
    )
}

/// A horizontal bar chart: one bar per `(label, value, text)`, no bar where `value` is `None`
/// (suppressed or undefined), bars scaled to the largest value (or to `max`).
fn bar_chart(title: &str, bars: &[(String, Option<f64>, String)], max: Option<f64>) -> String {
    let scale = max
        .or_else(|| bars.iter().filter_map(|b| b.1).reduce(f64::max))
        .filter(|m| *m > 0.0)
        .unwrap_or(1.0);
    let height = 24 * bars.len().max(1) + 8;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg \
         role=\"img\" width=\"640\" height=\"{height}\" viewBox=\"0 0 640 {height}\">",
        escape(title)
    );
    for (i, (label, value, text)) in bars.iter().enumerate() {
        let y = 4 + 24 * i;
        let width = value.map_or(0.0, |v| (v / scale).clamp(0.0, 1.0) * 340.0);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" class=\"label\">{}</text>\
             <rect x=\"220\" y=\"{y}\" width=\"{width:.1}\" height=\"18\" class=\"bar\"/>\
             <text x=\"{:.1}\" y=\"{}\" class=\"value\">{text}</text>",
            y + 14,
            escape(label),
            226.0 + width,
            y + 14,
        );
    }
    if bars.is_empty() {
        svg.push_str("<text x=\"0\" y=\"18\" class=\"label\">None</text>");
    }
    svg.push_str("</svg></figure>");
    svg
}

fn shown(count: &Count) -> Option<f64> {
    count.value.filter(|_| !count.suppressed).map(|n| n as f64)
}

fn charts(r: &ProgrammeReport) -> String {
    let target = r
        .targets
        .iter()
        .find(|t| t.metric == Metric::CitizensReached);
    let mut reached = vec![(
        "Citizens reached".to_owned(),
        shown(&r.citizens_reached),
        count_text(&r.citizens_reached),
    )];
    if let Some(t) = target {
        reached.push((
            "Target".to_owned(),
            Some(t.target as f64),
            t.target.to_string(),
        ));
    }
    let courses: Vec<_> = r
        .support_courses
        .by_model_and_status
        .iter()
        .map(|c| {
            (
                format!("{} · {}", c.model.as_str(), c.status.as_str()),
                shown(&c.count),
                count_text(&c.count),
            )
        })
        .collect();
    let funnel = vec![
        (
            "Referrals sent".to_owned(),
            shown(&r.referrals.sent),
            count_text(&r.referrals.sent),
        ),
        (
            "Accepted".to_owned(),
            shown(&r.referrals.accepted),
            count_text(&r.referrals.accepted),
        ),
    ];
    let retention: Vec<_> = r
        .employment
        .retention
        .iter()
        .map(|row| {
            (
                format!("{} months", row.months_after),
                row.rate.value.filter(|_| !row.rate.suppressed),
                rate_text(&row.rate),
            )
        })
        .collect();
    [
        bar_chart("Citizens reached against target", &reached, None),
        bar_chart("Support courses by model and status", &courses, None),
        bar_chart("Referral funnel", &funnel, None),
        bar_chart("Retained in employment (share)", &retention, Some(1.0)),
    ]
    .concat()
}

fn tables(r: &ProgrammeReport) -> String {
    let mut out = Vec::new();
    let p = &r.peers;
    out.push(table(
        "Peer workers",
        &["", ""],
        &[
            row(
                "Recruited",
                &[cell("/peers/recruited", &p.recruited.to_string())],
            ),
            row("Trained", &[cell("/peers/trained", &p.trained.to_string())]),
            row("Active", &[cell("/peers/active", &p.active.to_string())]),
            row(
                "Supervised",
                &[cell("/peers/supervised", &p.supervised.to_string())],
            ),
            row(
                "Supervision coverage",
                &[cell(
                    "/peers/supervision_coverage",
                    &rate_text(&Amount::exact(p.supervision_coverage)),
                )],
            ),
        ],
    ));
    out.push(table(
        "Citizens and contacts",
        &["", ""],
        &[
            row(
                "Citizens reached",
                &[cell("/citizens_reached", &count_text(&r.citizens_reached))],
            ),
            row(
                "Support courses started",
                &[cell(
                    "/support_courses/started",
                    &count_text(&r.support_courses.started),
                )],
            ),
            row(
                "Contacts",
                &[cell("/contacts/count", &count_text(&r.contacts.count))],
            ),
            row(
                "Hours",
                &[cell("/contacts/hours", &amount_text(&r.contacts.hours))],
            ),
        ],
    ));
    let rows: Vec<_> = (r.support_courses.by_model_and_status.iter().enumerate())
        .map(|(i, c)| {
            let label = format!("{} · {}", c.model.as_str(), c.status.as_str());
            let at = format!("/support_courses/by_model_and_status/{i}/count");
            row(&label, &[cell(&at, &count_text(&c.count))])
        })
        .collect();
    out.push(table(
        "Support courses by model and status",
        &["", "Courses"],
        &rows,
    ));
    let rows: Vec<_> = (r.goals.iter().enumerate())
        .map(|(i, g)| {
            row(
                g.status.as_str(),
                &[cell(&format!("/goals/{i}/count"), &count_text(&g.count))],
            )
        })
        .collect();
    out.push(table("Goals by status", &["", "Goals"], &rows));
    let rows: Vec<_> = (r.courses.iter().enumerate())
        .map(|(i, c)| {
            row(
                c.format.as_str(),
                &[
                    cell(&format!("/courses/{i}/courses"), &c.courses.to_string()),
                    cell(&format!("/courses/{i}/sessions"), &c.sessions.to_string()),
                    cell(
                        &format!("/courses/{i}/participants"),
                        &count_text(&c.participants),
                    ),
                    cell(
                        &format!("/courses/{i}/attendance_rate"),
                        &rate_text(&c.attendance_rate),
                    ),
                ],
            )
        })
        .collect();
    let head = ["", "Courses", "Sessions", "Participants", "Attendance"];
    out.push(table("Courses by format", &head, &rows));
    let rows: Vec<_> = (r.participants.iter().enumerate())
        .map(|(i, t)| {
            row(
                &t.participant_type,
                &[cell(
                    &format!("/participants/{i}/count"),
                    &count_text(&t.count),
                )],
            )
        })
        .collect();
    out.push(table("Participants by type", &["", "Participants"], &rows));
    let f = &r.referrals;
    let mut rows: Vec<_> = (f.by_target_kind_and_status.iter().enumerate())
        .map(|(i, c)| {
            let label = format!("{} · {}", c.target_kind.as_str(), c.status.as_str());
            let at = format!("/referrals/by_target_kind_and_status/{i}/count");
            row(&label, &[cell(&at, &count_text(&c.count))])
        })
        .collect();
    rows.push(row(
        "Sent (total)",
        &[cell("/referrals/sent", &count_text(&f.sent))],
    ));
    rows.push(row(
        "Accepted",
        &[cell("/referrals/accepted", &count_text(&f.accepted))],
    ));
    rows.push(row(
        "Median days sent to accepted",
        &[cell(
            "/referrals/median_days_sent_to_accepted",
            &amount_text(&f.median_days_sent_to_accepted),
        )],
    ));
    out.push(table(
        "Referrals by target kind and status",
        &["", "Referrals"],
        &rows,
    ));
    let e = &r.employment;
    let mut rows = vec![
        row(
            "Moves into employment",
            &[cell("/employment/moves", &count_text(&e.moves))],
        ),
        row(
            "Citizens in employment",
            &[cell("/employment/citizens", &count_text(&e.citizens))],
        ),
    ];
    for (i, c) in e.retention.iter().enumerate() {
        let at = |field: &str| format!("/employment/retention/{i}/{field}");
        rows.push(row(
            &format!("Retention after {} months", c.months_after),
            &[
                cell(&at("retained"), &count_text(&c.retained)),
                cell(&at("not_retained"), &count_text(&c.not_retained)),
                cell(&at("unknown"), &count_text(&c.unknown)),
                cell(&at("pending"), &count_text(&c.pending)),
                cell(&at("rate"), &rate_text(&c.rate)),
            ],
        ));
    }
    let head = ["", "Retained", "Not retained", "Unknown", "Pending", "Rate"];
    out.push(table("Employment and retention", &head, &rows));
    let rows: Vec<_> = (r.targets.iter().enumerate())
        .map(|(i, t)| {
            let deadline = t.deadline.map_or_else(String::new, |d| d.to_string());
            row(
                t.metric.as_str(),
                &[
                    cell(&format!("/targets/{i}/target"), &t.target.to_string()),
                    format!("<td>{}</td>", escape(&deadline)),
                    cell(&format!("/targets/{i}/measured"), &count_text(&t.measured)),
                    cell(&format!("/targets/{i}/share"), &rate_text(&t.share)),
                ],
            )
        })
        .collect();
    out.push(table(
        "Targets",
        &["", "Target", "Deadline", "Measured", "Achieved"],
        &rows,
    ));
    out.concat()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\
h1{font-size:1.5em}table{border-collapse:collapse;margin:1em 0;min-width:24em}\
caption{text-align:left;font-weight:bold;padding:.3em 0}th,td{border-bottom:1px solid #ccc;\
padding:.25em .6em;text-align:left}td.num{text-align:right}figure{margin:1em 0}\
figcaption{font-weight:bold}.bar{fill:#3a6ea5}.label,.value{font-size:12px}\
@media print{body{margin:0}table,figure{page-break-inside:avoid}}";

/// The whole page.
pub fn page(r: &ProgrammeReport) -> String {
    let municipality = r
        .municipality_code
        .as_deref()
        .map_or_else(String::new, |c| format!(", municipality {}", escape(c)));
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Programme report</title><style>{STYLE}</style></head><body>\
         <h1>Programme report</h1><p>Programme {}, {} to {}{municipality}. Aggregates only; \
         counts below 5 may be shown as &lt; 5 and rates over them as –.</p>{}{}</body></html>",
        escape(&r.programme_id.to_string()),
        r.from,
        r.to,
        charts(r),
        tables(r),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn suppressed_figures_print_as_less_than_five_or_a_dash() {
        assert_eq!(count_text(&Count::exact(7)), "7");
        assert_eq!(count_text(&Count::hidden()), "&lt; 5");
        assert_eq!(rate_text(&Amount::exact(Some(0.755))), "75.5 %");
        assert_eq!(rate_text(&Amount::hidden()), "–");
        assert_eq!(amount_text(&Amount::exact(None)), "–");
    }

    #[test]
    fn html_is_chosen_by_accept() {
        let ask = |accept: &str| {
            wants_html(
                &TestRequest::default()
                    .insert_header((ACCEPT, accept))
                    .to_http_request(),
            )
        };
        assert!(ask("text/html"));
        assert!(ask("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"));
        assert!(!ask("application/json"));
        assert!(!ask("*/*"));
        assert!(!wants_html(&TestRequest::default().to_http_request()));
    }
}
