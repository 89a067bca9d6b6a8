//! Cell value parsing.
