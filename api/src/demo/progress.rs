//! Progress of the writes: on a terminal one `indicatif` bar per table (rows written, rows/s);
//! otherwise one summary line per table when it is done.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Instant;

pub struct Progress {
    expected: BTreeMap<&'static str, usize>,
    written: BTreeMap<&'static str, usize>,
    bars: Option<(MultiProgress, BTreeMap<&'static str, ProgressBar>)>,
    /// When the table being written started (the previous one's end).
    table_started: Instant,
}

impl Progress {
    /// For the tables and row counts about to be written, in writing order.
    pub fn new(expected: &[(&'static str, usize)]) -> Self {
        let bars = std::io::stderr().is_terminal().then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:>27} [{bar:30}] {pos:>9}/{len:<9} rows {per_sec:>14} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let mut bars = BTreeMap::new();
            for (table, rows) in expected.iter().filter(|(_, rows)| *rows > 0) {
                let bar = multi.add(ProgressBar::new(*rows as u64));
                bar.set_style(style.clone());
                bar.set_prefix(*table);
                bars.insert(*table, bar);
            }
            (multi, bars)
        });
        Self {
            expected: expected.iter().copied().collect(),
            written: BTreeMap::new(),
            bars,
            table_started: Instant::now(),
        }
    }

    /// `rows` more rows of `table` are written.
    pub fn written(&mut self, table: &'static str, rows: usize) {
        let total = self.written.entry(table).or_default();
        *total += rows;
        let total = *total;
        let done = total >= self.expected.get(table).copied().unwrap_or(0);
        if let Some((_, bars)) = &self.bars
            && let Some(bar) = bars.get(table)
        {
            bar.inc(rows as u64);
            if done {
                bar.finish_with_message("done");
            }
        }
        if done {
            let seconds = self.table_started.elapsed().as_secs_f64();
            if self.bars.is_none() {
                let rate = total as f64 / seconds.max(0.001);
                eprintln!("{table}: {total} rows in {seconds:.1} s ({rate:.0} rows/s)");
            }
            self.table_started = Instant::now();
        }
    }

    /// Rows written per table so far.
    pub fn totals(&self) -> &BTreeMap<&'static str, usize> {
        &self.written
    }
}
