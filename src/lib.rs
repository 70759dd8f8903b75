//! archgen: an ArchiMate model in, a working software project out.
//!
//! The pipeline, one module a stage (docs/architecture.md draws it and says
//! what each module may use): [`source`] (bytes → text) → [`model`] (text →
//! faithful model, with [`diagnostic`]s) → [`load`] (that front end in one
//! call; [`inspect`] summarises its model) → [`ir`] (the system the model
//! describes, knowing no stack; names made safe by [`naming`]) → [`pack`]
//! (the IR rendered by a template pack, with the views [`diagram`] draws) → [`plan`] (the rendered files
//! against the output folder and its lock) → [`write`](mod@write) (atomic, synced
//! writes). `cmd` runs the stages for each command; [`cli`] parses the
//! arguments and dispatches; only the binary prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
mod cmd;
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
