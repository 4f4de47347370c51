//! Rows to bytes: CSV (RFC 4180, a header row) or NDJSON (one object a line), in the columns
//! of the file's audience, the citizen's id replaced by its pseudonym for the pseudonymised.

use brobygger_domain::export::{Audience, Cell, Dataset, Pseudonymiser, Sensitivity};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use std::io::Write;

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

impl Format {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "csv" => Some(Self::Csv),
            "ndjson" => Some(Self::Ndjson),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Ndjson => "ndjson",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Ndjson => "application/x-ndjson",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Out {
    Keep,
    Pseudonym,
}

/// Which stored cells a file holds, and how.
pub struct Projection {
    /// `(index of the stored cell, how)`, in file order.
    cells: Vec<(usize, Out)>,
    names: Vec<&'static str>,
    /// `"name":` of each column, for NDJSON.
    keys: Vec<Vec<u8>>,
    pseudonymiser: Option<Pseudonymiser>,
}

impl Projection {
    /// `pseudonymiser` is required for [`Audience::Pseudonymised`].
    pub fn new(dataset: Dataset, audience: Audience, pseudonymiser: Option<Pseudonymiser>) -> Self {
        let pseudonymised = audience == Audience::Pseudonymised;
        let cells: Vec<(usize, Out)> = dataset
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match (pseudonymised, c.sensitivity) {
                (false, _) | (true, Sensitivity::Plain) => Some((i, Out::Keep)),
                (true, Sensitivity::Citizen) => Some((i, Out::Pseudonym)),
                (true, Sensitivity::FreeText) => None,
            })
            .collect();
        let names: Vec<&'static str> = dataset
            .columns_for(audience)
            .into_iter()
            .map(|c| c.name)
            .collect();
        let keys = names
            .iter()
            .map(|n| format!("\"{n}\":").into_bytes())
            .collect();
        Self {
            cells,
            names,
            keys,
            pseudonymiser: pseudonymiser.filter(|_| pseudonymised),
        }
    }

    pub fn csv_header(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.names.join(",").as_bytes());
        out.extend_from_slice(b"\r\n");
    }

    fn value(&self, row: &[Cell], index: usize, how: Out) -> Cell {
        match (how, &row[index], &self.pseudonymiser) {
            (Out::Pseudonym, Cell::Text(id), Some(p)) => Cell::Text(p.pseudonym(id)),
            // Never the id itself in a pseudonymised file.
            (Out::Pseudonym, Cell::Text(_), None) => Cell::Null,
            (_, cell, _) => cell.clone(),
        }
    }

    pub fn write(&self, format: Format, row: &[Cell], out: &mut Vec<u8>) {
        match format {
            Format::Csv => self.csv_row(row, out),
            Format::Ndjson => self.json_row(row, out),
        }
    }

    fn csv_row(&self, row: &[Cell], out: &mut Vec<u8>) {
        for (n, (index, how)) in self.cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            match self.value(row, *index, *how) {
                Cell::Null => {}
                Cell::Text(text) => csv_text(&text, out),
                cell => plain(&cell, out),
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    fn json_row(&self, row: &[Cell], out: &mut Vec<u8>) {
        out.push(b'{');
        for (n, (index, how)) in self.cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&self.keys[n]);
            match self.value(row, *index, *how) {
                Cell::Null => out.extend_from_slice(b"null"),
                Cell::Text(text) => {
                    let _ = serde_json::to_writer(&mut *out, &text);
                }
                cell @ (Cell::Date(_) | Cell::Timestamp(_)) => {
                    out.push(b'"');
                    plain(&cell, out);
                    out.push(b'"');
                }
                cell => plain(&cell, out),
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A field quoted when it holds a separator, quote or line break (quotes doubled).
fn csv_text(text: &str, out: &mut Vec<u8>) {
    if text
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Numbers, booleans, `YYYY-MM-DD`, and UTC timestamps as the API writes them
/// (`2026-01-05T09:30:00.123456Z`, the fraction only when there is one).
fn plain(cell: &Cell, out: &mut Vec<u8>) {
    let _ = match cell {
        Cell::Null => Ok(()),
        Cell::Text(text) => out.write_all(text.as_bytes()),
        Cell::Integer(n) => write!(out, "{n}"),
        Cell::Boolean(b) => write!(out, "{b}"),
        Cell::Date(d) => date(*d, out),
        Cell::Timestamp(t) => timestamp(*t, out),
    };
}

fn date(d: NaiveDate, out: &mut Vec<u8>) -> std::io::Result<()> {
    write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn timestamp(t: NaiveDateTime, out: &mut Vec<u8>) -> std::io::Result<()> {
    date(t.date(), out)?;
    write!(out, "T{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())?;
    let nanos = t.nanosecond();
    if nanos == 0 {
    } else if nanos.is_multiple_of(1_000_000) {
        write!(out, ".{:03}", nanos / 1_000_000)?;
    } else if nanos.is_multiple_of(1_000) {
        write!(out, ".{:06}", nanos / 1_000)?;
    } else {
        write!(out, ".{nanos:09}")?;
    }
    out.write_all(b"Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use brobygger_domain::export::organisation_key;

    fn contact() -> Vec<Cell> {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let at = day.and_hms_micro_opt(9, 30, 0, 120).expect("time");
        vec![
            Cell::Text("c1".into()),
            Cell::Text("sc1".into()),
            Cell::Text("citizen-1".into()),
            Cell::Text("p1".into()),
            Cell::Date(day),
            Cell::Integer(45),
            Cell::Text("meeting".into()),
            Cell::Text("Talked, \"a lot\"\nabout work".into()),
            Cell::Text("pw1".into()),
            Cell::Timestamp(at),
            Cell::Timestamp(day.and_hms_opt(10, 0, 0).expect("time")),
        ]
    }

    #[test]
    fn identified_csv_quotes_free_text_and_keeps_ids() {
        let p = Projection::new(Dataset::Contacts, Audience::Identified, None);
        let mut out = Vec::new();
        p.csv_header(&mut out);
        p.write(Format::Csv, &contact(), &mut out);
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "id,support_course_id,citizen_id,programme_id,date,minutes,mode,summary,peer_worker_id,created_at,updated_at\r\n\
             c1,sc1,citizen-1,p1,2026-01-05,45,meeting,\"Talked, \"\"a lot\"\"\nabout work\",pw1,2026-01-05T09:30:00.000120Z,2026-01-05T10:00:00Z\r\n"
        );
    }

    #[test]
    fn pseudonymised_ndjson_has_no_id_and_no_free_text() {
        let key = organisation_key(&[1; 32], "org");
        let p = Projection::new(
            Dataset::Contacts,
            Audience::Pseudonymised,
            Some(Pseudonymiser::new(&key)),
        );
        let mut out = Vec::new();
        p.write(Format::Ndjson, &contact(), &mut out);
        let line: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            line["citizen_pseudonym"],
            Pseudonymiser::new(&key).pseudonym("citizen-1")
        );
        assert_eq!(line["minutes"], 45);
        assert_eq!(line["date"], "2026-01-05");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(!text.contains("citizen-1") && !text.contains("Talked"));
        assert!(!text.contains("summary"));
    }
}
