//! Label normalisation.
