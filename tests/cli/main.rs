//! The one integration-test binary: drives the `garita` executable end to end.

mod analysis;
mod calibrate;
mod charts;
mod common;
mod experiment;
mod region;
mod response;
mod run;
mod serve;
mod validate;
