//! The api crate's architecture, checked by reading its source (std only, no crate code).
//!
//! The layout these tests hold the code to: a folder per resource, `src/<resource>/` with
//! `mod.rs` (the routes: `#[utoipa::path]` handlers and `pub fn configure`), `dto.rs` and
//! `service.rs`; the access module `src/access/`; shared modules (error, http, body, db, audit,
//! idempotency, …); `app.rs`, `lib.rs`, `main.rs`. The rules:
//!
//! 1. no `.rs` file has more than 600 lines;
//! 2. the module graph (edges from `use` declarations and paths written in the code, never from
//!    `mod child;`) has no cycle;
//! 3. outside a resource's folder only its `service` and `dto` are used, except that `app.rs`
//!    registers its routes through `<resource>::configure`;
//! 4. handlers are short (the longest at most 40 lines).
//!
//! The parser is deliberately small: comments and string/char literals are blanked, the rest is
//! split into identifiers, `::` and punctuation, and `use` trees and `a::b::c` paths are read
//! from that. Macros that build paths from fragments are not seen; nothing in this crate does.
//! Each check is a function of a source root, and is also run on small fake trees below, so a
//! check that stopped finding anything would fail there.
//!
//! Run with `cargo test -p brobygger-api --test architecture -- --nocapture`, or without
//! building the api crate:
//! `CARGO_MANIFEST_DIR=$PWD/api rustc --edition 2024 --test api/tests/architecture.rs -o /tmp/architecture && /tmp/architecture --nocapture`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
/// How `main.rs` names the library.
const LIB_CRATE: &str = "brobygger_api";
const MAX_FILE_LINES: usize = 600;
const MAX_HANDLER_LINES: usize = 40;

fn source_root() -> &'static Path {
    Path::new(SRC)
}

// =============================================================================================
// The rules, on the real tree.

#[test]
fn no_file_over_600_lines() {
    let krate = Crate::load(source_root());
    assert!(!krate.files.is_empty(), "no .rs files under {SRC}");
    let offenders = oversized_files(&krate, MAX_FILE_LINES);
    println!(
        "{} files, {} over {MAX_FILE_LINES} lines",
        krate.files.len(),
        offenders.len()
    );
    for (file, lines) in &offenders {
        println!("  src/{file}: {lines} lines");
    }
    assert!(
        offenders.is_empty(),
        "{} file(s) over {MAX_FILE_LINES} lines:\n  {}",
        offenders.len(),
        offenders
            .iter()
            .map(|(file, lines)| format!("src/{file}: {lines} lines"))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn no_module_cycles() {
    let krate = Crate::load(source_root());
    let graph = module_graph(&krate);
    let edge_count: usize = graph.values().map(BTreeMap::len).sum();
    assert!(
        edge_count > 0,
        "the module graph has no edges: the parser found no references"
    );
    let cycles = find_cycles(&graph);
    println!(
        "module graph: {} modules, {edge_count} edges, {} cycle(s)",
        krate.modules.len() + usize::from(krate.has_binary()),
        cycles.len()
    );
    let report = describe_cycles(&graph, &cycles);
    print!("{report}");

    let top = collapse_to_top_level(&graph);
    println!("collapsed to top-level modules (a resource folder counts as one):");
    for (from, targets) in &top {
        println!(
            "  {from} → {}",
            targets.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    let top_cycles = find_cycles(&top);
    if top_cycles.is_empty() {
        println!("  no cycles between top-level modules");
    } else {
        println!("  {} cycle(s) between top-level modules:", top_cycles.len());
        print!("{}", indent(&describe_cycles(&top, &top_cycles)));
    }

    assert!(
        cycles.is_empty(),
        "{} module cycle(s):\n{report}",
        cycles.len()
    );
    assert!(
        top_cycles.is_empty(),
        "{} cycle(s) between top-level modules:\n{}",
        top_cycles.len(),
        describe_cycles(&top, &top_cycles)
    );
}

#[test]
fn no_resource_imports_another_resources_handlers() {
    let krate = Crate::load(source_root());
    let resources = krate.resources();
    println!(
        "resources (folders with service.rs): {}",
        if resources.is_empty() {
            "none".to_owned()
        } else {
            resources
                .iter()
                .map(|r| key(r))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    let violations = resource_violations(&krate);
    for violation in &violations {
        println!("  {violation}");
    }
    assert!(
        !resources.is_empty(),
        "no resource folder (a folder under src/ with service.rs) was found"
    );
    assert!(
        violations.is_empty(),
        "{} reference(s) into a resource past its service and dto (outside its folder only \
         <resource>::service and <resource>::dto may be used, and <resource>::configure from app.rs):\n  {}",
        violations.len(),
        violations.join("\n  ")
    );
}

#[test]
fn handlers_are_short() {
    let krate = Crate::load(source_root());
    let mut found = handlers(&krate);
    assert!(
        !found.is_empty(),
        "no #[utoipa::path] handler found: the parser is broken"
    );
    found.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.name.cmp(&b.name)));
    let mut lengths: Vec<usize> = found.iter().map(|h| h.lines).collect();
    lengths.sort_unstable();
    let median = if lengths.len() % 2 == 1 {
        lengths[lengths.len() / 2] as f64
    } else {
        (lengths[lengths.len() / 2 - 1] + lengths[lengths.len() / 2]) as f64 / 2.0
    };
    let longest = &found[0];
    println!(
        "{} handlers; median {median} lines; longest {} (src/{}:{}) with {} lines",
        found.len(),
        longest.name,
        longest.file,
        longest.line,
        longest.lines
    );
    let too_long: Vec<&Handler> = found
        .iter()
        .filter(|h| h.lines > MAX_HANDLER_LINES)
        .collect();
    for h in &too_long {
        println!("  over {MAX_HANDLER_LINES}: {h}");
    }
    assert!(
        too_long.is_empty(),
        "{} handler(s) over {MAX_HANDLER_LINES} lines:\n  {}",
        too_long.len(),
        too_long
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

// =============================================================================================
// The checks, as functions of a loaded tree.

/// Files over `limit` lines, longest first.
fn oversized_files(krate: &Crate, limit: usize) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = krate
        .files
        .iter()
        .filter(|f| f.lines > limit)
        .map(|f| (f.rel.clone(), f.lines))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// module → module it refers to → where (the first reference seen).
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn module_graph(krate: &Crate) -> Graph {
    let mut graph = Graph::new();
    for file in &krate.files {
        graph.entry(file.module.clone()).or_default();
    }
    for reference in krate.references() {
        let target = key(&reference.target);
        if target == reference.from {
            continue;
        }
        graph
            .entry(reference.from.clone())
            .or_default()
            .entry(target)
            .or_insert_with(|| {
                format!(
                    "src/{}:{} {}",
                    reference.file, reference.line, reference.written
                )
            });
    }
    graph
}

/// One shortest cycle per strongly connected component, each as a closed path `[a, b, a]`.
fn find_cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut cycles = Vec::new();
    for component in strongly_connected_components(graph) {
        if component.len() < 2 {
            continue;
        }
        let start = component.iter().min().cloned().unwrap_or_default();
        // Breadth-first from `start` inside the component, back to `start`.
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = VecDeque::from([start.clone()]);
        let mut closing = None;
        'search: while let Some(node) = queue.pop_front() {
            for next in graph.get(&node).into_iter().flat_map(BTreeMap::keys) {
                if !component.contains(next) {
                    continue;
                }
                if *next == start {
                    closing = Some(node.clone());
                    break 'search;
                }
                if !parent.contains_key(next) {
                    parent.insert(next.clone(), node.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        let Some(mut node) = closing else { continue };
        let mut path = vec![start.clone()];
        while node != start {
            path.push(node.clone());
            node = parent[&node].clone();
        }
        path.push(start.clone());
        path.reverse();
        cycles.push(path);
    }
    cycles.sort();
    cycles
}

/// Tarjan's algorithm.
fn strongly_connected_components(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        components: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, node: &'g str) {
        let i = s.index.len();
        s.index.insert(node, i);
        s.low.insert(node, i);
        s.stack.push(node);
        s.on_stack.insert(node);
        let graph = s.graph;
        for next in graph.get(node).into_iter().flat_map(BTreeMap::keys) {
            let next = next.as_str();
            if !s.index.contains_key(next) {
                visit(s, next);
                let low = s.low[node].min(s.low[next]);
                s.low.insert(node, low);
            } else if s.on_stack.contains(next) {
                let low = s.low[node].min(s.index[next]);
                s.low.insert(node, low);
            }
        }
        if s.low[node] == s.index[node] {
            let mut component = BTreeSet::new();
            while let Some(top) = s.stack.pop() {
                s.on_stack.remove(top);
                component.insert(top.to_owned());
                if top == node {
                    break;
                }
            }
            s.components.push(component);
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    let nodes: BTreeSet<&str> = graph
        .iter()
        .flat_map(|(from, to)| std::iter::once(from).chain(to.keys()))
        .map(String::as_str)
        .collect();
    for node in nodes {
        if !state.index.contains_key(node) {
            visit(&mut state, node);
        }
    }
    state.components
}

/// `a → b → a`, then each edge of it with the reference that makes it, and the other modules
/// of its strongly connected component if there are more.
fn describe_cycles(graph: &Graph, cycles: &[Vec<String>]) -> String {
    let components = strongly_connected_components(graph);
    let mut out = String::new();
    for cycle in cycles {
        out.push_str(&format!("  {}\n", cycle.join(" → ")));
        let others: Vec<&str> = components
            .iter()
            .find(|c| c.contains(&cycle[0]))
            .into_iter()
            .flatten()
            .filter(|m| !cycle.contains(m))
            .map(String::as_str)
            .collect();
        if !others.is_empty() {
            out.push_str(&format!(
                "    (in one tangle with {} more: {})\n",
                others.len(),
                others.join(", ")
            ));
        }
        for pair in cycle.windows(2) {
            let site = graph
                .get(&pair[0])
                .and_then(|t| t.get(&pair[1]))
                .map_or("?", String::as_str);
            out.push_str(&format!("      {} → {}: {site}\n", pair[0], pair[1]));
        }
    }
    out
}

fn collapse_to_top_level(graph: &Graph) -> Graph {
    let top = |module: &str| module.split("::").next().unwrap_or(module).to_owned();
    let mut out = Graph::new();
    for (from, targets) in graph {
        let entry = out.entry(top(from)).or_default();
        for (to, site) in targets {
            if top(to) != top(from) {
                entry.entry(top(to)).or_insert_with(|| site.clone());
            }
        }
    }
    out
}

/// References from outside a resource's folder to anything of it but `service`/`dto`
/// (and `configure`, from `app.rs`).
fn resource_violations(krate: &Crate) -> Vec<String> {
    let resources = krate.resources();
    let mut out = Vec::new();
    for reference in krate.references() {
        for resource in &resources {
            if !reference.path.starts_with(resource) {
                continue;
            }
            let inside = reference
                .from_path
                .as_ref()
                .is_some_and(|from| from.starts_with(resource));
            if inside {
                continue;
            }
            let next = reference.path.get(resource.len()).map(String::as_str);
            let allowed = matches!(next, Some("service" | "dto"))
                || (reference.from == "app"
                    && next == Some("configure")
                    && reference.path.len() == resource.len() + 1);
            if !allowed {
                out.push((
                    reference.file.clone(),
                    reference.line,
                    format!(
                        "src/{}:{}: {} ({}) uses {}",
                        reference.file,
                        reference.line,
                        reference.written,
                        key(&reference.path),
                        key(resource)
                    ),
                ));
            }
        }
    }
    // By file, then line.
    out.sort();
    out.dedup();
    out.into_iter().map(|(_, _, line)| line).collect()
}

struct Handler {
    name: String,
    file: String,
    line: usize,
    lines: usize,
    route: Option<String>,
}

impl std::fmt::Display for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (src/{}:{}, {}): {} lines",
            self.name,
            self.file,
            self.line,
            self.route.as_deref().unwrap_or("no route attribute"),
            self.lines
        )
    }
}

/// Every function with a `#[utoipa::path(…)]` attribute, with the lines from its first
/// non-attribute token (`pub async fn`) to its closing brace.
fn handlers(krate: &Crate) -> Vec<Handler> {
    const ROUTES: [&str; 8] = [
        "get", "post", "put", "patch", "delete", "head", "route", "options",
    ];
    let mut out = Vec::new();
    for file in &krate.files {
        let t = &file.tokens;
        let mut i = 0;
        while i + 4 < t.len() {
            let is_path_attribute = t[i].is_punct('#')
                && t[i + 1].is_punct('[')
                && t[i + 2].is_ident("utoipa")
                && t[i + 3].tok == Tok::PathSep
                && t[i + 4].is_ident("path");
            if !is_path_attribute {
                i += 1;
                continue;
            }
            let mut j = matching(t, i + 1).map_or(t.len(), |end| end + 1);
            let mut route = None;
            // Further attributes: the actix route, docs, lints.
            while j + 1 < t.len() && t[j].is_punct('#') && t[j + 1].is_punct('[') {
                if let Some(Tok::Ident(name)) = t.get(j + 2).map(|x| &x.tok)
                    && ROUTES.contains(&name.as_str())
                {
                    route = Some(format!("#[{name}]"));
                }
                j = matching(t, j + 1).map_or(t.len(), |end| end + 1);
            }
            let Some(start) = t.get(j) else { break };
            let Some(fn_at) = (j..t.len()).find(|&k| t[k].is_ident("fn")) else {
                break;
            };
            let name = match t.get(fn_at + 1).map(|x| &x.tok) {
                Some(Tok::Ident(name)) => name.clone(),
                _ => "?".to_owned(),
            };
            // The body: the first `{` outside parentheses and brackets.
            let mut depth = 0i32;
            let mut body = None;
            for (k, token) in t.iter().enumerate().skip(fn_at) {
                match token.tok {
                    Tok::Punct('(' | '[') => depth += 1,
                    Tok::Punct(')' | ']') => depth -= 1,
                    Tok::Punct('{') if depth == 0 => {
                        body = Some(k);
                        break;
                    }
                    Tok::Punct(';') if depth == 0 => break,
                    _ => {}
                }
            }
            if let Some(end) = body.and_then(|open| matching(t, open)) {
                out.push(Handler {
                    name,
                    file: file.rel.clone(),
                    line: start.line,
                    lines: t[end].line - start.line + 1,
                    route,
                });
                i = end;
            } else {
                i = fn_at + 1;
            }
        }
    }
    out
}

/// The index of the bracket closing the one at `open` (`(`, `[` or `{`).
fn matching(t: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, token) in t.iter().enumerate().skip(open) {
        match token.tok {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

// =============================================================================================
// The crate: files, modules and the references between them.

struct Crate {
    files: Vec<SourceFile>,
    /// Library modules that are files, as paths from the crate root (`[]` is `lib.rs`).
    modules: BTreeSet<Vec<String>>,
}

struct SourceFile {
    /// Relative to the source root, with `/`.
    rel: String,
    /// `crate`, `main` (the binary's root) or `a::b`.
    module: String,
    /// The library module path; `None` for `main.rs`.
    path: Option<Vec<String>>,
    lines: usize,
    tokens: Vec<Token>,
}

struct Reference {
    file: String,
    line: usize,
    /// The referring module's key and (library modules) path.
    from: String,
    from_path: Option<Vec<String>>,
    /// The path as written.
    written: String,
    /// The library path it names, from the crate root.
    path: Vec<String>,
    /// The longest prefix of `path` that is a module file.
    target: Vec<String>,
}

impl Crate {
    fn load(root: &Path) -> Self {
        let mut paths = Vec::new();
        collect_rust_files(root, &mut paths);
        paths.sort();
        let mut files = Vec::new();
        let mut modules = BTreeSet::from([Vec::new()]);
        for path in paths {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            let module_path = module_path(&rel);
            if let Some(p) = &module_path {
                modules.insert(p.clone());
            }
            files.push(SourceFile {
                module: module_path.as_deref().map_or("main".to_owned(), key),
                path: module_path,
                lines: text.lines().count(),
                tokens: tokenize(&strip(&text)),
                rel,
            });
        }
        Self { files, modules }
    }

    fn has_binary(&self) -> bool {
        self.files.iter().any(|f| f.path.is_none())
    }

    /// Folders with a `service.rs`, as module paths.
    fn resources(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = self
            .files
            .iter()
            .filter_map(|f| f.rel.strip_suffix("/service.rs"))
            .map(|folder| folder.split('/').map(str::to_owned).collect())
            .collect();
        out.sort();
        out
    }

    /// The longest prefix of `path` that is a module file.
    fn owner(&self, path: &[String]) -> Vec<String> {
        (0..=path.len())
            .rev()
            .map(|k| &path[..k])
            .find(|prefix| self.modules.contains(*prefix))
            .unwrap_or(&[])
            .to_vec()
    }

    fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for file in &self.files {
            let scan = scan(&file.tokens);
            let mut resolver = Resolver {
                krate: self,
                file: file.path.as_deref(),
                aliases: BTreeMap::new(),
                inline_modules: scan.inline_modules.clone(),
            };
            let mut push = |line: usize, written: &[String], path: Vec<String>| {
                out.push(Reference {
                    file: file.rel.clone(),
                    line,
                    from: file.module.clone(),
                    from_path: file.path.clone(),
                    written: written.join("::"),
                    target: self.owner(&path),
                    path,
                });
            };
            // `use` declarations in order: a name bound to a module is an alias (its uses are
            // the references); a name bound to an item is a reference now.
            for leaf in &scan.uses {
                let resolved = resolver.resolve(&leaf.segments, &leaf.inline);
                match (&leaf.kind, resolved) {
                    (UseKind::Glob, Some(mut path)) => {
                        // `a::*` names the module `a` (its owner, as `*` is no module).
                        let mut written = leaf.segments.clone();
                        written.push("*".into());
                        path.push("*".into());
                        push(leaf.line, &written, path);
                    }
                    (UseKind::Glob, None) => {}
                    (UseKind::Name(name), Some(path)) if self.modules.contains(&path) => {
                        if name != "_" {
                            resolver.aliases.insert(name.clone(), Some(path));
                        }
                    }
                    (UseKind::Name(name), Some(path)) => {
                        if name != "_" {
                            resolver.aliases.insert(name.clone(), None);
                        }
                        push(leaf.line, &leaf.segments, path);
                    }
                    (UseKind::Name(name), None) => {
                        if name != "_" {
                            resolver.aliases.insert(name.clone(), None);
                        }
                    }
                }
            }
            for chain in &scan.paths {
                if let Some(path) = resolver.resolve(&chain.segments, &chain.inline) {
                    push(chain.line, &chain.segments, path);
                }
            }
        }
        out
    }
}

fn collect_rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read directory {}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `lib.rs` → `[]`, `a/b.rs` and `a/b/mod.rs` → `[a, b]`, `main.rs` → `None` (the binary).
fn module_path(rel: &str) -> Option<Vec<String>> {
    if rel == "main.rs" {
        return None;
    }
    let stem = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut segments: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if segments.last().is_some_and(|s| s == "mod") || segments == ["lib"] {
        segments.pop();
    }
    Some(segments)
}

/// `crate` for the root, else `a::b`.
fn key(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

struct Resolver<'a> {
    krate: &'a Crate,
    /// The file's library module path; `None` in `main.rs`.
    file: Option<&'a [String]>,
    /// Names bound by `use`: to a library module, or (`None`) to anything else.
    aliases: BTreeMap<String, Option<Vec<String>>>,
    inline_modules: BTreeSet<String>,
}

impl Resolver<'_> {
    /// The library path that `segments` (written inside the inline modules `inline`) names, or
    /// `None` for other crates, std, local items and the binary itself.
    fn resolve(&self, segments: &[String], inline: &[String]) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let join = |base: &[String], rest: &[String]| -> Vec<String> {
            base.iter().chain(rest).cloned().collect()
        };
        let Some(file) = self.file else {
            // The binary: the library by its crate name, or a name imported from it.
            if first == LIB_CRATE {
                return Some(rest.to_vec());
            }
            return self.aliases.get(first)?.as_ref().map(|t| join(t, rest));
        };
        let current = join(file, inline);
        match first.as_str() {
            "crate" => Some(rest.to_vec()),
            "self" => Some(join(&current, rest)),
            "super" => {
                let mut base = current;
                let mut rest = rest;
                base.pop()?;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                Some(join(&base, rest))
            }
            _ => {
                if let Some(binding) = self.aliases.get(first) {
                    return binding.as_ref().map(|t| join(t, rest));
                }
                // A child module of the current module, or (seen through `use super::*` in an
                // inline module) of an enclosing one.
                for k in (0..=inline.len()).rev() {
                    let mut candidate = join(file, &inline[..k]);
                    candidate.push(first.clone());
                    if self.krate.modules.contains(&candidate) {
                        return Some(join(&candidate, rest));
                    }
                }
                if self.inline_modules.contains(first) {
                    return Some(file.to_vec());
                }
                None
            }
        }
    }
}

// =============================================================================================
// Scanning tokens for `use` trees, paths and inline modules.

#[derive(Debug, PartialEq)]
enum UseKind {
    /// Binds this name (the last segment, or the `as` name).
    Name(String),
    Glob,
}

#[derive(Debug)]
struct UseLeaf {
    segments: Vec<String>,
    kind: UseKind,
    line: usize,
    inline: Vec<String>,
}

#[derive(Debug)]
struct PathChain {
    segments: Vec<String>,
    line: usize,
    inline: Vec<String>,
}

#[derive(Debug, Default)]
struct Scan {
    uses: Vec<UseLeaf>,
    /// Paths of two or more segments outside `use` declarations.
    paths: Vec<PathChain>,
    inline_modules: BTreeSet<String>,
}

fn scan(t: &[Token]) -> Scan {
    let mut out = Scan::default();
    let mut depth = 0usize;
    // Inline modules (`mod tests { … }`) open at a brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let names = |inline: &[(String, usize)]| -> Vec<String> {
        inline.iter().map(|(name, _)| name.clone()).collect()
    };
    let mut i = 0;
    while i < t.len() {
        match &t[i].tok {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                while inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            Tok::Ident(word) if word == "mod" => {
                if let Some(Tok::Ident(name)) = t.get(i + 1).map(|x| &x.tok) {
                    if t.get(i + 2).is_some_and(|x| x.is_punct('{')) {
                        inline.push((name.clone(), depth + 1));
                        out.inline_modules.insert(name.clone());
                    }
                    i += 2;
                    continue;
                }
            }
            // `use<'a>` is precise capturing, not a declaration.
            Tok::Ident(word) if word == "use" && !t.get(i + 1).is_some_and(|x| x.is_punct('<')) => {
                i += 1;
                let mut leaves = Vec::new();
                parse_use_tree(t, &mut i, Vec::new(), &mut leaves);
                let here = names(&inline);
                out.uses
                    .extend(leaves.into_iter().map(|(segments, kind, line)| UseLeaf {
                        segments,
                        kind,
                        line,
                        inline: here.clone(),
                    }));
                continue;
            }
            Tok::Ident(first) => {
                let global = i > 0 && t[i - 1].tok == Tok::PathSep;
                let mut segments = vec![first.clone()];
                let mut j = i + 1;
                while j + 1 < t.len() && t[j].tok == Tok::PathSep {
                    match &t[j + 1].tok {
                        Tok::Ident(next) => {
                            segments.push(next.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                if segments.len() >= 2 && !global {
                    out.paths.push(PathChain {
                        segments,
                        line: t[i].line,
                        inline: names(&inline),
                    });
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Flattens a use tree (`a::{b, c::{self, d as e}, f::*}`) into leaves. `i` is left on the
/// token after the tree (normally the `;`).
fn parse_use_tree(
    t: &[Token],
    i: &mut usize,
    mut prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, UseKind, usize)>,
) {
    while let Some(token) = t.get(*i) {
        match &token.tok {
            Tok::PathSep => {
                if prefix.is_empty() {
                    // `use ::name`: another crate, never this one.
                    prefix.push("::".into());
                }
                *i += 1;
            }
            Tok::Punct('{') => {
                *i += 1;
                while let Some(token) = t.get(*i) {
                    match token.tok {
                        Tok::Punct('}') => {
                            *i += 1;
                            break;
                        }
                        Tok::Punct(',') => *i += 1,
                        Tok::Punct(';') => return,
                        _ => {
                            let before = *i;
                            parse_use_tree(t, i, prefix.clone(), out);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
                return;
            }
            Tok::Punct('*') => {
                out.push((prefix, UseKind::Glob, token.line));
                *i += 1;
                return;
            }
            Tok::Ident(name) => {
                *i += 1;
                if t.get(*i).is_some_and(|x| x.tok == Tok::PathSep)
                    && !t.get(*i + 1).is_some_and(|x| x.is_punct('<'))
                {
                    prefix.push(name.clone());
                    *i += 1;
                    continue;
                }
                let mut bound = None;
                if t.get(*i).is_some_and(|x| x.is_ident("as")) {
                    if let Some(Tok::Ident(alias)) = t.get(*i + 1).map(|x| &x.tok) {
                        bound = Some(alias.clone());
                    }
                    *i += 2;
                }
                let (segments, last) = if name == "self" {
                    let last = prefix.last().cloned().unwrap_or_default();
                    (prefix, last)
                } else {
                    let mut segments = prefix;
                    segments.push(name.clone());
                    (segments, name.clone())
                };
                out.push((segments, UseKind::Name(bound.unwrap_or(last)), token.line));
                return;
            }
            _ => return,
        }
    }
}

// =============================================================================================
// Lexing: blank out comments and literals, then split into tokens.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

impl Token {
    fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    fn is_ident(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Ident(w) if w == word)
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with comments and the contents of string and char literals replaced by spaces
/// (the quotes stay, newlines stay, so lines keep their numbers).
fn strip(source: &str) -> String {
    let c: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        let starts_token = i == 0 || !is_ident_char(c[i - 1]);
        // Line comment.
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                out.push(' ');
                i += 1;
            }
            continue;
        }
        // Block comment, nested.
        if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            continue;
        }
        // Raw string: r"…", r#"…"#, br"…", cr"…".
        let raw_start = if starts_token && c[i] == 'r' {
            Some(i + 1)
        } else if starts_token && (c[i] == 'b' || c[i] == 'c') && at(i + 1) == 'r' {
            Some(i + 2)
        } else {
            None
        };
        if let Some(mut k) = raw_start {
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            if at(k) == '"' {
                out.extend(&c[i..=k]);
                i = k + 1;
                while i < c.len() {
                    if c[i] == '"' && (1..=hashes).all(|h| at(i + h) == '#') {
                        out.push('"');
                        out.extend(std::iter::repeat_n('#', hashes));
                        i += 1 + hashes;
                        break;
                    }
                    blank(&mut out, c[i]);
                    i += 1;
                }
                continue;
            }
        }
        // String (the `b`/`c` prefix is left as an identifier, which is harmless).
        if c[i] == '"' {
            out.push('"');
            i += 1;
            while i < c.len() {
                if c[i] == '\\' {
                    blank(&mut out, c[i]);
                    if let Some(&next) = c.get(i + 1) {
                        blank(&mut out, next);
                    }
                    i += 2;
                } else if c[i] == '"' {
                    out.push('"');
                    i += 1;
                    break;
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
            continue;
        }
        // Char literal ('x', '\n', '\u{…}'); a lifetime ('a) is left alone.
        if c[i] == '\'' {
            let end = if at(i + 1) == '\\' {
                (i + 3..c.len()).find(|&k| c[k] == '\'')
            } else if at(i + 2) == '\'' && at(i + 1) != '\n' {
                Some(i + 2)
            } else {
                None
            };
            if let Some(end) = end {
                out.push('\'');
                for &ch in &c[i + 1..end] {
                    blank(&mut out, ch);
                }
                out.push('\'');
                i = end + 1;
                continue;
            }
        }
        out.push(c[i]);
        i += 1;
    }
    out
}

fn tokenize(stripped: &str) -> Vec<Token> {
    let c: Vec<char> = stripped.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(Token {
                tok: Tok::PathSep,
                line,
            });
            i += 2;
        } else if ch.is_alphabetic() || ch == '_' {
            // A raw identifier `r#name` is `name`.
            if ch == 'r'
                && c.get(i + 1) == Some(&'#')
                && c.get(i + 2).is_some_and(|&n| n.is_alphabetic() || n == '_')
            {
                i += 2;
            }
            let start = i;
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(c[start..i].iter().collect()),
                line,
            });
        } else if ch.is_ascii_digit() {
            while i < c.len() && is_ident_char(c[i]) {
                i += 1;
            }
        } else {
            out.push(Token {
                tok: Tok::Punct(ch),
                line,
            });
            i += 1;
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

// =============================================================================================
// The checks on small fake trees, so that they cannot pass by finding nothing.

/// A source tree in a temporary directory, removed on drop.
struct FakeTree {
    root: PathBuf,
}

impl FakeTree {
    fn new(files: &[(&str, &str)]) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let root = std::env::temp_dir().join(format!(
            "brobygger-architecture-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        for (rel, text) in files {
            let path = root.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create a fake source folder");
            }
            std::fs::write(&path, text).expect("write a fake source file");
        }
        Self { root }
    }

    fn load(&self) -> Crate {
        Crate::load(&self.root)
    }
}

impl Drop for FakeTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn fake_tree_cycles_are_found() {
    let tree = FakeTree::new(&[
        (
            "lib.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub mod citizen;\n",
        ),
        (
            "a.rs",
            "use crate::b::thing; // crate::c::never, in a comment\n\
             pub fn other() { let _ = \"crate::c::never\"; thing() }\n",
        ),
        ("b.rs", "pub fn thing() {\n    crate::a::other();\n}\n"),
        (
            "c.rs",
            "pub fn never() {}\n#[cfg(test)]\nmod tests {\n    use super::*;\n    \
             fn t() { super::never(); self::helper(); }\n    fn helper() {}\n}\n",
        ),
        // A routes file and its dto that refers back to a handler: citizen ⇄ citizen::dto.
        (
            "citizen/mod.rs",
            "pub mod dto;\npub mod service;\nuse dto::Citizen;\npub async fn list() {}\n",
        ),
        ("citizen/dto.rs", "use super::list;\npub struct Citizen;\n"),
        ("citizen/service.rs", "use super::dto::Citizen;\n"),
    ]);
    let graph = module_graph(&tree.load());
    let cycles = find_cycles(&graph);
    assert_eq!(
        cycles,
        vec![
            vec!["a".to_owned(), "b".into(), "a".into()],
            vec![
                "citizen".to_owned(),
                "citizen::dto".into(),
                "citizen".into()
            ],
        ],
        "{graph:#?}"
    );
    // Comments, strings and a test module's `super::` are no edges.
    assert!(!graph["a"].contains_key("c"), "{graph:#?}");
    assert!(graph["c"].is_empty(), "{graph:#?}");
    // `mod dto;` is no edge, `use super::dto::Citizen` is.
    assert!(graph["crate"].is_empty(), "{graph:#?}");
    assert!(graph["citizen::service"].contains_key("citizen::dto"));
    let report = describe_cycles(&graph, &cycles);
    assert!(report.contains("  a → b → a\n"), "{report}");
    assert!(
        report.contains("b → a: src/b.rs:2 crate::a::other"),
        "{report}"
    );

    let top = collapse_to_top_level(&graph);
    assert_eq!(find_cycles(&top), vec![vec!["a", "b", "a"]]);
}

#[test]
fn fake_tree_acyclic_graph_passes() {
    let tree = FakeTree::new(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub use a::Thing;\n"),
        (
            "a.rs",
            "use crate::b;\npub struct Thing;\nfn f() { b::g(); }\n",
        ),
        ("b.rs", "pub fn g() {}\n"),
        (
            "main.rs",
            "use brobygger_api::{Thing, a};\nfn main() { a::f(); }\n",
        ),
    ]);
    let graph = module_graph(&tree.load());
    assert!(find_cycles(&graph).is_empty(), "{graph:#?}");
    assert!(graph["a"].contains_key("b"), "{graph:#?}");
    assert!(graph["crate"].contains_key("a"), "{graph:#?}");
    assert_eq!(
        graph["main"].keys().collect::<Vec<_>>(),
        ["a", "crate"],
        "{graph:#?}"
    );
}

#[test]
fn fake_tree_cross_resource_handler_imports_are_found() {
    let tree = FakeTree::new(&[
        (
            "lib.rs",
            "pub mod app;\npub mod citizen;\npub mod programme;\npub mod error;\n",
        ),
        (
            "citizen/mod.rs",
            "pub mod dto;\npub mod service;\npub fn configure(cfg: &mut Config) {}\n\
             #[utoipa::path(get, path = \"/citizens\")]\n#[get(\"/citizens\")]\n\
             pub async fn list() {}\n",
        ),
        ("citizen/dto.rs", "pub struct Citizen;\n"),
        (
            "citizen/service.rs",
            "use super::dto::Citizen;\npub fn find() {}\n",
        ),
        (
            "programme/mod.rs",
            "pub mod dto;\npub mod service;\npub fn configure(cfg: &mut Config) {}\n",
        ),
        ("programme/dto.rs", "use crate::citizen::dto::Citizen;\n"),
        (
            "programme/service.rs",
            "use crate::citizen::list;\n\
             use crate::citizen::{dto::Citizen, service};\n\
             use crate::{citizen, error::ApiError};\n\
             pub fn f() {\n    service::find();\n    citizen::service::find();\n    \
             crate::citizen::configure();\n    citizen::list();\n}\n",
        ),
        (
            "app.rs",
            "use crate::{citizen, programme};\n\
             pub fn routes(cfg: &mut Config) {\n    cfg.configure(citizen::configure)\n        \
             .configure(programme::configure);\n    crate::programme::dto::x();\n    \
             programme::helper();\n}\n",
        ),
        ("error.rs", "pub struct ApiError;\n"),
    ]);
    let krate = tree.load();
    assert_eq!(
        krate.resources(),
        vec![vec!["citizen".to_owned()], vec!["programme".to_owned()]]
    );
    let violations = resource_violations(&krate);
    assert_eq!(
        violations,
        vec![
            "src/app.rs:6: programme::helper (programme::helper) uses programme",
            "src/programme/service.rs:1: crate::citizen::list (citizen::list) uses citizen",
            "src/programme/service.rs:7: crate::citizen::configure (citizen::configure) uses citizen",
            "src/programme/service.rs:8: citizen::list (citizen::list) uses citizen",
        ],
        "{violations:#?}"
    );
}

#[test]
fn fake_tree_long_handlers_and_files_are_found() {
    let long_body = "    let x = 1;\n".repeat(43);
    let handler_file = format!(
        "/// Docs.\n#[utoipa::path(\n    get,\n    path = \"/x\",\n    responses((status = 200, body = String))\n)]\n\
         #[get(\"/x\")]\npub async fn long_one(\n    a: A,\n) -> Result<(), E> {{\n{long_body}}}\n\n\
         #[utoipa::path(post, path = \"/y\")]\n#[post(\"/y\")]\npub async fn short_one() -> R {{\n    \
         let s = \"}}\";\n    Ok(())\n}}\n\n\
         pub async fn not_a_handler() {{\n{long_body}}}\n"
    );
    let big = "// line\n".repeat(601);
    let tree = FakeTree::new(&[
        ("lib.rs", "pub mod x;\npub mod big;\n"),
        ("x/mod.rs", handler_file.as_str()),
        ("big.rs", big.as_str()),
    ]);
    let krate = tree.load();
    let found = handlers(&krate);
    let summary: Vec<(String, usize, usize, Option<String>)> = found
        .iter()
        .map(|h| (h.name.clone(), h.line, h.lines, h.route.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("long_one".to_owned(), 8, 47, Some("#[get]".to_owned())),
            ("short_one".to_owned(), 58, 4, Some("#[post]".to_owned())),
        ]
    );
    assert_eq!(
        oversized_files(&krate, 600),
        vec![("big.rs".to_owned(), 601)]
    );
}

#[test]
fn comments_and_literals_are_blanked_line_for_line() {
    let source = "let a = \"crate::x::y\"; // crate::z\n/* crate::w\n /* nested */ */ \
                  let b = r#\"crate::v \"quoted\"\"#; let c = '\"'; let d: &'static str = x;\n\
                  let e = '\\''; crate::real::path();\n";
    let stripped = strip(source);
    assert_eq!(stripped.lines().count(), source.lines().count());
    assert!(!stripped.contains("crate::x"), "{stripped}");
    assert!(!stripped.contains("crate::z"), "{stripped}");
    assert!(!stripped.contains("crate::w"), "{stripped}");
    assert!(!stripped.contains("crate::v"), "{stripped}");
    assert!(stripped.contains("'static"), "{stripped}");
    let scan = scan(&tokenize(&stripped));
    let paths: Vec<(String, usize)> = scan
        .paths
        .iter()
        .map(|p| (p.segments.join("::"), p.line))
        .collect();
    assert_eq!(paths, vec![("crate::real::path".to_owned(), 4)]);
}

#[test]
fn use_trees_are_flattened() {
    let source = "use crate::{a, b::{self, c as d, e::*}, f::g};\n\
                  pub use super::h;\nuse ::std::fmt;\nfn f() -> impl Sized + use<> {}\n";
    let scan = scan(&tokenize(&strip(source)));
    let leaves: Vec<(String, UseKind, usize)> = scan
        .uses
        .into_iter()
        .map(|l| (l.segments.join("::"), l.kind, l.line))
        .collect();
    let name = |n: &str| UseKind::Name(n.to_owned());
    assert_eq!(
        leaves,
        vec![
            ("crate::a".to_owned(), name("a"), 1),
            ("crate::b".to_owned(), name("b"), 1),
            ("crate::b::c".to_owned(), name("d"), 1),
            ("crate::b::e".to_owned(), UseKind::Glob, 1),
            ("crate::f::g".to_owned(), name("g"), 1),
            ("super::h".to_owned(), name("h"), 2),
            ("::::std::fmt".to_owned(), name("fmt"), 3),
        ]
    );
}
