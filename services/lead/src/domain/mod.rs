//! The rules of leads, pure: valid field values, the status moves, who may
//! change a lead as it stands (vendor pool, pending distribution, converted),
//! likely duplicates, and what a conversion makes.

mod access;
mod conversion;
mod duplicates;
mod fields;
mod status;

pub use access::{Acceptance, LeadState, VENDOR_POOL, check_change, check_decide, check_distribute};
pub use conversion::{ConversionState, ProjectDraft, ProjectInput, ProjectRecordType, check_convertible};
pub use duplicates::{company_key, email_key};
pub use fields::{LEAD_MASK_PATHS, LeadFields, Solution, Source};
pub use prm_kit::address::Address;
pub use status::LeadStatus;
