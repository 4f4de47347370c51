//! Which methods each path of the contract answers, so that a request to a known path with a
//! method the contract does not declare is `405 Method Not Allowed` with `Allow`, and only an
//! unknown path is `404`. Built from the contract itself, so it cannot drift from the routes.

use utoipa::openapi::OpenApi;

/// The contract's path templates with their methods.
#[derive(Debug, Clone, Default)]
pub struct Methods {
    paths: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{id}`: any one non-empty segment.
    Parameter,
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_matches('/')
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                Segment::Parameter
            } else {
                Segment::Literal(s.to_owned())
            }
        })
        .collect()
}

fn matches(template: &[Segment], path: &[&str]) -> bool {
    template.len() == path.len()
        && template.iter().zip(path).all(|(t, p)| match t {
            Segment::Literal(l) => l == p,
            Segment::Parameter => !p.is_empty(),
        })
}

impl Methods {
    pub fn of(contract: &OpenApi) -> Self {
        let paths = contract
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let declared = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("TRACE", item.trace.is_some()),
                ];
                let methods = declared
                    .into_iter()
                    .filter_map(|(method, present)| present.then_some(method))
                    .collect();
                (segments(template), methods)
            })
            .collect();
        Self { paths }
    }

    /// The methods the contract declares for `path`, or `None` when no path of the contract
    /// matches it. A literal segment wins over a parameter (`/citizens/lookup` is not
    /// `/citizens/{id}`), as the router decides.
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        let path: Vec<&str> = path.trim_matches('/').split('/').collect();
        let mut found: Vec<(usize, &Vec<&'static str>)> = self
            .paths
            .iter()
            .filter(|(template, _)| matches(template, &path))
            .map(|(template, methods)| {
                let literals = template
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count();
                (literals, methods)
            })
            .collect();
        found.sort_by_key(|(literals, _)| std::cmp::Reverse(*literals));
        found.first().map(|(_, methods)| (*methods).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::{InfoBuilder, OpenApiBuilder};

    fn contract() -> OpenApi {
        let op = || OperationBuilder::new().build();
        let mut citizens = PathItem::new(HttpMethod::Get, op());
        citizens.post = Some(op());
        OpenApiBuilder::new()
            .info(InfoBuilder::new().title("t").version("1").build())
            .paths(
                PathsBuilder::new()
                    .path("/api/v1/citizens", citizens)
                    .path(
                        "/api/v1/citizens/{id}",
                        PathItem::new(HttpMethod::Patch, op()),
                    )
                    .path(
                        "/api/v1/citizens/lookup",
                        PathItem::new(HttpMethod::Post, op()),
                    ),
            )
            .build()
    }

    #[test]
    fn a_known_path_gives_its_methods_and_an_unknown_one_none() {
        let methods = Methods::of(&contract());
        assert_eq!(
            methods.allowed("/api/v1/citizens"),
            Some(vec!["GET", "POST"])
        );
        assert_eq!(methods.allowed("/api/v1/citizens/abc"), Some(vec!["PATCH"]));
        assert_eq!(
            methods.allowed("/api/v1/citizens/lookup"),
            Some(vec!["POST"])
        );
        assert_eq!(methods.allowed("/api/v1/citizens/abc/x"), None);
        assert_eq!(methods.allowed("/api/v1/nothing"), None);
    }
}
