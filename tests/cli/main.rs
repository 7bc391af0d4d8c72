//! The one integration-test binary: drives the `garita` executable end to end.

mod analysis;
mod common;
mod run;
