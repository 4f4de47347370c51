//! Rows to bytes: CSV (RFC 4180, a header row) or NDJSON (one object a line), in the columns
//! of the file's audience, the citizen's id replaced by its pseudonym for the pseudonymised.

use brobygger_domain::export::{Audience, Cell, Dataset, Pseudonymiser, Sensitivity};
use brobygger_persistence::export::BatchRow;
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

/// A row's cells, in stored order.
pub trait Cells {
    /// The cell at `index`; `Null` past the last.
    fn cell(&self, index: usize) -> Cell<'_>;
}

impl Cells for BatchRow<'_> {
    fn cell(&self, index: usize) -> Cell<'_> {
        self.get(index)
    }
}

impl Cells for [Cell<'_>] {
    fn cell(&self, index: usize) -> Cell<'_> {
        self.get(index).copied().unwrap_or(Cell::Null)
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

    /// Appends one row (its cells in stored order) to `out`.
    pub fn write<R: Cells + ?Sized>(&self, format: Format, row: &R, out: &mut Vec<u8>) {
        match format {
            Format::Csv => self.csv_row(row, out),
            Format::Ndjson => self.json_row(row, out),
        }
    }

    /// The pseudonymiser a citizen's cell is written with; `None` writes `Null` instead (never
    /// the id itself in a pseudonymised file).
    fn citizen<'a>(&self, how: Out, cell: Cell<'a>) -> Result<Cell<'a>, (&Pseudonymiser, &'a str)> {
        match (how, cell) {
            (Out::Keep, cell) => Ok(cell),
            (Out::Pseudonym, Cell::Text(id)) => match &self.pseudonymiser {
                Some(p) => Err((p, id)),
                None => Ok(Cell::Null),
            },
            (Out::Pseudonym, _) => Ok(Cell::Null),
        }
    }

    fn csv_row<R: Cells + ?Sized>(&self, row: &R, out: &mut Vec<u8>) {
        for (n, (index, how)) in self.cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            match self.citizen(*how, row.cell(*index)) {
                Err((p, id)) => p.write_pseudonym(id, out),
                Ok(Cell::Null) => {}
                Ok(Cell::Text(text)) => csv_text(text, out),
                Ok(cell) => plain(cell, out),
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    fn json_row<R: Cells + ?Sized>(&self, row: &R, out: &mut Vec<u8>) {
        out.push(b'{');
        for (n, (index, how)) in self.cells.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&self.keys[n]);
            match self.citizen(*how, row.cell(*index)) {
                Err((p, id)) => {
                    out.push(b'"');
                    p.write_pseudonym(id, out);
                    out.push(b'"');
                }
                Ok(Cell::Null) => out.extend_from_slice(b"null"),
                Ok(Cell::Text(text)) => json_text(text, out),
                Ok(cell @ (Cell::Date(_) | Cell::Timestamp(_))) => {
                    out.push(b'"');
                    plain(cell, out);
                    out.push(b'"');
                }
                Ok(cell) => plain(cell, out),
            }
        }
        out.extend_from_slice(b"}\n");
    }
}

/// A field quoted when it holds a separator, quote or line break (quotes doubled).
fn csv_text(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A JSON string: as is between quotes unless something needs an escape (a quote, a backslash,
/// a control character), then as `serde_json` escapes it.
fn json_text(text: &str, out: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    if bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
    }
}

/// Numbers, booleans, `YYYY-MM-DD`, and UTC timestamps as the API writes them
/// (`2026-01-05T09:30:00.123456Z`, the fraction only when there is one).
fn plain(cell: Cell<'_>, out: &mut Vec<u8>) {
    match cell {
        Cell::Null => {}
        Cell::Text(text) => out.extend_from_slice(text.as_bytes()),
        Cell::Integer(n) => integer(n, out),
        Cell::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Cell::Date(d) => date(d, out),
        Cell::Timestamp(t) => timestamp(t, out),
    }
}

fn integer(n: i64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[at..]);
}

/// `value` as `width` decimal digits, zero-padded (`value` < 10^width).
fn padded(value: u32, width: u32, out: &mut Vec<u8>) {
    for place in (0..width).rev() {
        out.push(b'0' + (value / 10u32.pow(place) % 10) as u8);
    }
}

fn date(d: NaiveDate, out: &mut Vec<u8>) {
    match u32::try_from(d.year()) {
        Ok(year) if year <= 9999 => padded(year, 4, out),
        _ => {
            let _ = write!(out, "{:04}", d.year());
        }
    }
    out.push(b'-');
    padded(d.month(), 2, out);
    out.push(b'-');
    padded(d.day(), 2, out);
}

fn timestamp(t: NaiveDateTime, out: &mut Vec<u8>) {
    date(t.date(), out);
    out.push(b'T');
    padded(t.hour(), 2, out);
    out.push(b':');
    padded(t.minute(), 2, out);
    out.push(b':');
    padded(t.second(), 2, out);
    let nanos = t.nanosecond();
    if nanos == 0 {
    } else if nanos.is_multiple_of(1_000_000) {
        out.push(b'.');
        padded(nanos / 1_000_000, 3, out);
    } else if nanos.is_multiple_of(1_000) {
        out.push(b'.');
        padded(nanos / 1_000, 6, out);
    } else {
        out.push(b'.');
        // A leap second's nanoseconds reach 1_999_999_999.
        let _ = write!(out, "{nanos:09}");
    }
    out.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;
    use brobygger_domain::export::organisation_key;

    fn contact() -> Vec<Cell<'static>> {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let at = day.and_hms_micro_opt(9, 30, 0, 120).expect("time");
        vec![
            Cell::Text("c1"),
            Cell::Text("sc1"),
            Cell::Text("citizen-1"),
            Cell::Text("p1"),
            Cell::Date(day),
            Cell::Integer(45),
            Cell::Text("meeting"),
            Cell::Text("Talked, \"a lot\"\nabout work"),
            Cell::Text("pw1"),
            Cell::Timestamp(at),
            Cell::Timestamp(day.and_hms_opt(10, 0, 0).expect("time")),
        ]
    }

    #[test]
    fn identified_csv_quotes_free_text_and_keeps_ids() {
        let p = Projection::new(Dataset::Contacts, Audience::Identified, None);
        let mut out = Vec::new();
        p.csv_header(&mut out);
        p.write(Format::Csv, &contact()[..], &mut out);
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
        p.write(Format::Ndjson, &contact()[..], &mut out);
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

    #[test]
    fn values_are_written_as_the_api_writes_them() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).expect("date");
        let at = |nanos| day.and_hms_nano_opt(9, 3, 7, nanos).expect("time");
        let cases = [
            (Cell::Integer(0), "0"),
            (Cell::Integer(-45), "-45"),
            (Cell::Integer(i64::MIN), "-9223372036854775808"),
            (Cell::Boolean(false), "false"),
            (Cell::Date(day), "2026-01-05"),
            (Cell::Timestamp(at(0)), "2026-01-05T09:03:07Z"),
            (Cell::Timestamp(at(120_000_000)), "2026-01-05T09:03:07.120Z"),
            (Cell::Timestamp(at(120_000)), "2026-01-05T09:03:07.000120Z"),
            (Cell::Timestamp(at(5)), "2026-01-05T09:03:07.000000005Z"),
        ];
        for (cell, expected) in cases {
            let mut out = Vec::new();
            plain(cell, &mut out);
            assert_eq!(String::from_utf8(out).expect("utf-8"), expected);
        }
    }

    #[test]
    fn json_text_is_what_serde_json_writes() {
        for text in [
            "plain",
            "",
            "æøå 🙂",
            "a \"quote\"",
            "back\\slash",
            "line\nbreak\t\u{1}",
            "\u{7f}",
        ] {
            let mut out = Vec::new();
            json_text(text, &mut out);
            assert_eq!(out, serde_json::to_vec(text).expect("json"), "{text:?}");
        }
    }
}
