//! The access guard: before any handler runs (and before its body or path is read), a call
//! of an operation the table (`operations.rs`) does not allow the caller is refused; an
//! allowed caller is passed on to the handler's `CurrentUser`, authenticated once.

use super::operations;
use crate::auth::CurrentUser;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let pattern = req.match_pattern();
    let operation = pattern
        .as_deref()
        .and_then(|path| operations::find(req.method().as_str(), path));
    if let Some(operation) = operation.filter(|o| !o.is_public()) {
        let decided = match CurrentUser::authenticate(req.request()).await {
            Ok(user) => operation.allows(user.role, &user.scopes).map(|()| user),
            Err(e) => Err(e),
        };
        match decided {
            Ok(user) => {
                req.extensions_mut().insert(user);
            }
            Err(refusal) => {
                let response = refusal.error_response();
                return Ok(req.into_response(response));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
