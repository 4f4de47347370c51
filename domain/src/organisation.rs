//! Organisations: the tenants. Municipalities, regions, user organisations, jobcentres, …

use crate::error::{FieldErrors, HasCode};
use crate::reference;
use serde::{Deserialize, Serialize};

/// What an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Municipality,
    Region,
    UserOrganisation,
    RelativesOrganisation,
    Jobcentre,
    Psychiatry,
    Employer,
    EducationProvider,
    StateAgency,
    CivilSociety,
    Other,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 11] = [
        Self::Municipality,
        Self::Region,
        Self::UserOrganisation,
        Self::RelativesOrganisation,
        Self::Jobcentre,
        Self::Psychiatry,
        Self::Employer,
        Self::EducationProvider,
        Self::StateAgency,
        Self::CivilSociety,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Municipality => "municipality",
            Self::Region => "region",
            Self::UserOrganisation => "user_organisation",
            Self::RelativesOrganisation => "relatives_organisation",
            Self::Jobcentre => "jobcentre",
            Self::Psychiatry => "psychiatry",
            Self::Employer => "employer",
            Self::EducationProvider => "education_provider",
            Self::StateAgency => "state_agency",
            Self::CivilSociety => "civil_society",
            Self::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

impl crate::workflow::TextEnum for OrganisationKind {
    const ALL: &'static [Self] = &OrganisationKind::ALL;

    fn as_str(self) -> &'static str {
        OrganisationKind::as_str(self)
    }
}

impl From<OrganisationKind> for &'static str {
    fn from(value: OrganisationKind) -> Self {
        value.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("must be {0} digits")]
    Format(usize),
    #[error("is not an official code")]
    Unknown,
    #[error("fails the modulus-11 check")]
    Checksum,
}

impl HasCode for CodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Format(_) => "invalid_format",
            Self::Unknown => "unknown_code",
            Self::Checksum => "invalid_checksum",
        }
    }
}

fn digits(value: &str, len: usize) -> Result<(), CodeError> {
    if value.len() == len && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(CodeError::Format(len))
    }
}

/// An official 3-digit municipality code (`../shared/data/municipalities.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        digits(value, 3)?;
        reference::municipality(value).ok_or(CodeError::Unknown)?;
        Ok(Self(value.to_owned()))
    }
}

impl AsRef<str> for MunicipalityCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// An official 4-digit region code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        digits(value, 4)?;
        reference::region(value).ok_or(CodeError::Unknown)?;
        Ok(Self(value.to_owned()))
    }
}

impl AsRef<str> for RegionCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A Danish CVR number: 8 digits passing modulus 11 with weights 2,7,6,5,4,3,2,1.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cvr(String);

impl Cvr {
    const WEIGHTS: [u32; 8] = [2, 7, 6, 5, 4, 3, 2, 1];

    pub fn parse(value: &str) -> Result<Self, CodeError> {
        digits(value, 8)?;
        let sum: u32 = value
            .bytes()
            .zip(Self::WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if sum.is_multiple_of(11) {
            Ok(Self(value.to_owned()))
        } else {
            Err(CodeError::Checksum)
        }
    }
}

impl AsRef<str> for Cvr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The checked contents of an organisation, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kind: OrganisationKind,
    pub municipality_code: Option<MunicipalityCode>,
    pub region_code: Option<RegionCode>,
    pub cvr: Option<Cvr>,
}

impl OrganisationDraft {
    /// Checks the codes and the rules that tie them to the kind, reporting every bad field.
    pub fn parse(
        name: &str,
        kind: OrganisationKind,
        municipality_code: Option<&str>,
        region_code: Option<&str>,
        cvr: Option<&str>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        if name.trim().is_empty() {
            errors.push("name", "required", "must not be blank");
        }
        let municipality_code = municipality_code
            .and_then(|c| errors.check("municipality_code", MunicipalityCode::parse(c)));
        let region_code =
            region_code.and_then(|c| errors.check("region_code", RegionCode::parse(c)));
        let cvr = cvr.and_then(|c| errors.check("cvr", Cvr::parse(c)));
        let reported =
            |errors: &FieldErrors, field: &str| errors.0.iter().any(|e| e.field == field);
        if kind == OrganisationKind::Municipality
            && municipality_code.is_none()
            && !reported(&errors, "municipality_code")
        {
            errors.push(
                "municipality_code",
                "required",
                "a municipality carries its code",
            );
        }
        if kind == OrganisationKind::Region
            && region_code.is_none()
            && !reported(&errors, "region_code")
        {
            errors.push("region_code", "required", "a region carries its code");
        }
        if let (Some(m), Some(r)) = (&municipality_code, &region_code) {
            let lies_in = reference::municipality(m.as_ref()).map(|m| m.region_code.as_str());
            if lies_in != Some(r.as_ref()) {
                errors.push(
                    "region_code",
                    "mismatch",
                    "the municipality does not lie in this region",
                );
            }
        }
        errors.into_result(|| Self {
            name: name.to_owned(),
            kind,
            municipality_code,
            region_code,
            cvr,
        })
    }
}

/// Whether making `parent` the parent of `child` would close a cycle, given the chain of
/// `parent`'s ancestors (nearest first).
pub fn closes_cycle<Id: PartialEq>(child: &Id, parent: &Id, parent_ancestors: &[Id]) -> bool {
    child == parent || parent_ancestors.contains(child)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvr_modulus_11() {
        // 2·1+7·0+6·1+5·5+4·0+3·6+2·1+1·? … a known valid CVR: 10150817 (sum divisible by 11)
        assert!(Cvr::parse("10150817").is_ok());
        assert_eq!(Cvr::parse("10150818"), Err(CodeError::Checksum));
        assert_eq!(Cvr::parse("1015081"), Err(CodeError::Format(8)));
        assert_eq!(Cvr::parse("1015081a"), Err(CodeError::Format(8)));
    }

    #[test]
    fn codes_must_be_official() {
        assert!(MunicipalityCode::parse("630").is_ok());
        assert_eq!(MunicipalityCode::parse("999"), Err(CodeError::Unknown));
        assert_eq!(MunicipalityCode::parse("63"), Err(CodeError::Format(3)));
        assert!(RegionCode::parse("1083").is_ok());
        assert_eq!(RegionCode::parse("1090"), Err(CodeError::Unknown));
    }

    #[test]
    fn a_municipality_needs_its_code_and_every_error_is_listed() {
        let errors = OrganisationDraft::parse(
            " ",
            OrganisationKind::Municipality,
            None,
            Some("99"),
            Some("1"),
        )
        .expect_err("invalid");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "region_code", "cvr", "municipality_code"]);
    }

    #[test]
    fn a_municipality_lies_in_its_region() {
        let ok = OrganisationDraft::parse(
            "Vejle Kommune",
            OrganisationKind::Municipality,
            Some("630"),
            Some("1083"),
            None,
        );
        assert!(ok.is_ok());
        let wrong = OrganisationDraft::parse(
            "Vejle Kommune",
            OrganisationKind::Municipality,
            Some("630"),
            Some("1084"),
            None,
        );
        assert_eq!(wrong.expect_err("mismatch").0[0].code, "mismatch");
    }

    #[test]
    fn cycles() {
        assert!(closes_cycle(&1, &1, &[]));
        assert!(closes_cycle(&1, &2, &[3, 1]));
        assert!(!closes_cycle(&1, &2, &[3, 4]));
    }
}
