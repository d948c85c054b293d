//! The rules of the catalogue and of quotes, pure: valid values, the status
//! path, and the arithmetic of lines and totals (exact decimals).

pub mod catalogue;
pub mod number;
pub mod status;

pub use catalogue::{Family, Sku};
pub use number::quote_number;
pub use prm_kit::pricing::{Billing, Discount, LineAmounts, Quantity, Totals, line_net, totals};
pub use status::QuoteStatus;
