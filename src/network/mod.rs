//! The network: kube-proxy programming Service rules from EndpointSlices, and clients whose requests
//! reach (or fail to reach) real processes.

pub mod client;
pub mod dns;
pub mod proxy;

pub use client::{Clients, Resolution};
pub use proxy::{Proxy, ProxyTimer};
