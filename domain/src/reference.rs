//! The 98 Danish municipalities and 5 regions with their official codes.

use serde::Serialize;
use std::sync::OnceLock;

/// A Danish municipality (kommune).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"municipality_code": "630", "name": "Vejle", "region_code": "1083"})))]
pub struct Municipality {
    /// The official 3-digit municipality code.
    pub municipality_code: String,
    pub name: String,
    /// The 4-digit code of the region the municipality lies in.
    pub region_code: String,
}

/// A Danish region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"region_code": "1083", "name": "Region Syddanmark"})))]
pub struct Region {
    /// The official 4-digit region code.
    pub region_code: String,
    pub name: String,
}

const MUNICIPALITIES_CSV: &str = include_str!("../data/municipalities.csv");
const REGIONS_CSV: &str = include_str!("../data/regions.csv");

fn parse<T: serde::de::DeserializeOwned>(data: &str) -> Vec<T> {
    csv::Reader::from_reader(data.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .expect("the reference data shipped with the binary is well-formed")
}

/// Every municipality, ordered by code.
pub fn municipalities() -> &'static [Municipality] {
    static LIST: OnceLock<Vec<Municipality>> = OnceLock::new();
    LIST.get_or_init(|| parse(MUNICIPALITIES_CSV))
}

/// Every region, ordered by code.
pub fn regions() -> &'static [Region] {
    static LIST: OnceLock<Vec<Region>> = OnceLock::new();
    LIST.get_or_init(|| parse(REGIONS_CSV))
}

pub fn municipality(code: &str) -> Option<&'static Municipality> {
    municipalities()
        .iter()
        .find(|m| m.municipality_code == code)
}

pub fn region(code: &str) -> Option<&'static Region> {
    regions().iter().find(|r| r.region_code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_98_municipalities_in_5_regions() {
        assert_eq!(municipalities().len(), 98);
        assert_eq!(regions().len(), 5);
        assert!(
            municipalities()
                .iter()
                .all(|m| region(&m.region_code).is_some())
        );
        assert_eq!(municipality("630").map(|m| m.name.as_str()), Some("Vejle"));
    }
}
