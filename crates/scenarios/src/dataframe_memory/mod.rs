//! dataframe_memory: the sheet's 2 GB CSV on trial.

pub mod data;
pub mod polars_side;
pub mod worker;
