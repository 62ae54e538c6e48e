//! The built-in sample government website that `govscan demo` serves on loopback.

pub mod server;
pub mod site;
