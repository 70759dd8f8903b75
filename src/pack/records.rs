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
    /// The decision's substance: its title and chosen option (see [`hash`]).
    pub hash: String,
    /// False in records written before the hash covered only the substance;
    /// such a record takes the new hash once instead of being superseded.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outcome: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<Superseded>,
}

/// What a decision decides. The generator's: its title and the option
/// chosen; context, drivers and consequences are prose around them, so
/// rewording them, or a count in the context (a metric added to the
/// blueprint), is not a new decision. The blueprint's (a principle or
/// constraint): its name and its documentation, which states it.
fn hash(d: &Decision) -> String {
    let said = if d.source == "blueprint" {
        &d.context
    } else {
        d.options.first().unwrap_or(&d.decision)
    };
    let mut h = Sha256::new();
    for part in [&d.title, said] {
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
                outcome: true,
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
            Some(r) if r.hash == h || !r.outcome => {
                d.number = r.number;
                d.supersedes = r.supersedes.clone();
                if !r.outcome {
                    // A record from before: it takes this decision's hash.
                    for x in out
                        .iter_mut()
                        .filter(|x| x.key == r.key && x.number == r.number)
                    {
                        x.hash = h.clone();
                        x.outcome = true;
                    }
                }
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
                    outcome: true,
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
                    outcome: true,
                    supersedes: None,
                });
            }
        }
    }
    decisions.sort_by_key(|d| d.number);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(key: &str, context: &str, chosen: &str) -> Decision {
        Decision {
            number: 1,
            key: key.into(),
            title: format!("About {key}"),
            context: context.into(),
            drivers: vec![],
            options: vec![chosen.into(), "something else".into()],
            decision: "because".into(),
            consequences: vec![],
            source: "generator".into(),
            from: vec![],
            supersedes: None,
        }
    }

    #[test]
    fn only_a_changed_choice_supersedes() {
        let mut first = vec![decision("metrics", "5 metrics", "tables")];
        let records = renumber(&mut first, &[]);
        // A metric more in the context: the same record.
        let mut again = vec![decision("metrics", "6 metrics", "tables")];
        let kept = renumber(&mut again, &records);
        assert_eq!((again[0].number, again[0].supersedes.clone()), (1, None));
        assert_eq!(kept, records);
        // Another option chosen: a new record superseding the first.
        let mut changed = vec![decision("metrics", "6 metrics", "a stream processor")];
        let out = renumber(&mut changed, &kept);
        assert_eq!(changed[0].number, 2);
        assert_eq!(changed[0].supersedes.as_ref().map(|s| s.number), Some(1));
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn records_from_before_take_the_new_hash_once() {
        let old = Record {
            number: 3,
            key: "metrics".into(),
            hash: "an-older-hash".into(),
            outcome: false,
            supersedes: None,
        };
        let mut now = vec![decision("metrics", "ctx", "tables")];
        let out = renumber(&mut now, std::slice::from_ref(&old));
        assert_eq!((now[0].number, now[0].supersedes.clone()), (3, None));
        assert_eq!(out.len(), 1);
        assert!(out[0].outcome && out[0].hash == hash(&now[0]));
        let json = serde_json::to_string(&old).unwrap();
        assert!(!json.contains("outcome"), "{json}");
    }
}
