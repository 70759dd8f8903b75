//! archgen: an ArchiMate model in, a working software project out.
//!
//! The pipeline, one module a stage: [`source`] (bytes → text) →
//! [`model`] (text → faithful model, with [`diagnostic`]s) → [`load`] (the
//! whole front end in one call) → [`inspect`] (summaries). [`cli`] wires the
//! stages to the command line; only the binary prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
mod cmd;
mod cmd_diagram;
pub mod diagnostic;
pub mod diagram;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod model;
pub mod naming;
pub mod pack;
pub mod plan;
pub mod source;
pub mod write;
