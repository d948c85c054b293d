//! The rules of accounts and contacts, pure: what a valid value is, which
//! fields a client may change, and what counts as history.

pub mod fields;

mod account;
mod contact;

pub use account::{ACCOUNT_MASK_PATHS, AccountFields, AccountType, delete_refusal};
pub use contact::{CONTACT_MASK_PATHS, ContactFields};
pub use fields::Address;
