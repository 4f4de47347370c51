//! `/reference`: the official municipality and region codes. Public data, no token needed.

use crate::http::Page;
use actix_web::{HttpResponse, get, web};
use brobygger_domain::reference::{self, Municipality, Region};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MunicipalityFilters {
    /// Only the municipalities of this region.
    #[param(example = "1083")]
    pub region_code: Option<String>,
}

/// List the municipalities
///
/// The 98 Danish municipalities with their official codes and regions, in one page.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_municipalities",
    params(MunicipalityFilters),
    responses((status = 200, description = "Every municipality", body = Page<Municipality>))
)]
#[get("/reference/municipalities")]
pub async fn municipalities(filters: web::Query<MunicipalityFilters>) -> HttpResponse {
    let items = reference::municipalities()
        .iter()
        .filter(|m| {
            filters
                .region_code
                .as_ref()
                .is_none_or(|r| *r == m.region_code)
        })
        .cloned()
        .collect();
    HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    })
}

/// List the regions
///
/// The 5 Danish regions with their official codes, in one page.
#[utoipa::path(
    tag = "reference",
    operation_id = "list_regions",
    responses((status = 200, description = "Every region", body = Page<Region>))
)]
#[get("/reference/regions")]
pub async fn regions() -> HttpResponse {
    HttpResponse::Ok().json(Page::<Region> {
        items: reference::regions().to_vec(),
        next_cursor: None,
    })
}
