//! The rules of the catalogue and of quotes, pure: valid values, the status
//! path, and the arithmetic of lines and totals (exact decimals).

pub mod catalogue;
pub mod lines;
pub mod status;

pub use catalogue::{Billing, Family, Sku};
pub use lines::{Discount, LineAmounts, Quantity, Totals, line_net, totals};
pub use status::QuoteStatus;
