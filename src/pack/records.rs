//! Architecture decision records across generations.
//!
//! In: the decisions of the IR and the records the lock kept. Out: the
//! decisions numbered for this generation, and the new records. A decision
//! that did not change keeps its number; one that changed gets a new number
//! and names the record it supersedes (ADRs are append-only: the old file
//! stays); a new one gets the next number.

use crate::ir::{Decision, Superseded};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub number: usize,
    pub key: String,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Superseded>,
}

fn hash(d: &Decision) -> String {
    let mut h = Sha256::new();
    for part in [&d.title, &d.context, &d.decision, &d.consequences] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    super::hex(&h.finalize())[..16].to_owned()
}

/// Numbers `decisions` against `recorded`; returns the records to keep.
pub fn renumber(decisions: &mut [Decision], recorded: &[Record]) -> Vec<Record> {
    if recorded.is_empty() {
        return decisions
            .iter()
            .map(|d| Record {
                number: d.number,
                key: d.key.clone(),
                hash: hash(d),
                supersedes: None,
            })
            .collect();
    }
    let mut out = recorded.to_vec();
    let mut next = recorded.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    for d in decisions.iter_mut() {
        let h = hash(d);
        let latest = out
            .iter()
            .filter(|r| r.key == d.key)
            .max_by_key(|r| r.number)
            .cloned();
        match latest {
            Some(r) if r.hash == h => {
                d.number = r.number;
                d.supersedes = r.supersedes;
            }
            Some(r) => {
                d.supersedes = Some(Superseded {
                    number: r.number,
                    key: r.key,
                });
                d.number = next;
                next += 1;
                out.push(Record {
                    number: d.number,
                    key: d.key.clone(),
                    hash: h,
                    supersedes: d.supersedes.clone(),
                });
            }
            None => {
                d.number = next;
                next += 1;
                out.push(Record {
                    number: d.number,
                    key: d.key.clone(),
                    hash: h,
                    supersedes: None,
                });
            }
        }
    }
    decisions.sort_by_key(|d| d.number);
    out
}
