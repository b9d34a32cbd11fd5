//! C3 linearization, written from the definition (Barrett et al., "A Monotonic Superclass
//! Linearization for Dylan", OOPSLA 1996), independent of CPython:
//!
//! L[C] = C + merge(L[B1], …, L[Bn], [B1, …, Bn])
//!
//! where merge repeatedly takes the first head of the lists that appears in no list's tail.
//! A graph is validated when it is built (unknown bases, cycles, duplicate class names are
//! errors); a class whose bases admit no order, or that names a base twice, is refused with
//! the reason, as CPython refuses it with a `TypeError`.

use pyproof_harness::Rng;
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// The implicit root of every hierarchy.
pub const OBJECT: &str = "object";

/// One class: its name and its bases in declaration order (empty means `object`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassDef {
    /// The class name, unique within its graph.
    pub name: String,
    /// The bases, in order.
    pub bases: Vec<String>,
}

impl ClassDef {
    /// A class with these bases.
    pub fn new(name: &str, bases: &[&str]) -> Self {
        ClassDef {
            name: name.to_string(),
            bases: bases.iter().map(|b| b.to_string()).collect(),
        }
    }
}

/// Why a graph could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    /// Two classes share a name.
    #[error("class {0} is defined twice")]
    DuplicateClass(String),
    /// A base names no class of the graph.
    #[error("class {class} has an unknown base {base}")]
    UnknownBase {
        /// The class.
        class: String,
        /// The base it names.
        base: String,
    },
    /// A class inherits from itself through its bases.
    #[error("inheritance cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// The text form could not be parsed.
    #[error("cannot parse class definition {0:?} (expected Name or Name(Base, Base))")]
    Syntax(String),
}

/// Why a class has no MRO; the kinds match CPython's `TypeError`s.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MroError {
    /// The same base is listed twice ("duplicate base class A").
    #[error("duplicate base class {base} in {class}")]
    DuplicateBase {
        /// The class.
        class: String,
        /// The repeated base.
        base: String,
    },
    /// The bases' orders contradict each other ("Cannot create a consistent method resolution
    /// order (MRO) for bases …").
    #[error("cannot create a consistent MRO for {class}: no good head among {}", .heads.join(", "))]
    Inconsistent {
        /// The class.
        class: String,
        /// The heads left when the merge got stuck.
        heads: Vec<String>,
    },
    /// A base was itself refused, so this class cannot exist.
    #[error("{class} cannot exist: its base {base} was refused")]
    BaseRefused {
        /// The class.
        class: String,
        /// The refused base.
        base: String,
    },
}

impl MroError {
    /// "duplicate", "inconsistent" or "base_refused": what is compared with CPython.
    pub fn kind(&self) -> &'static str {
        match self {
            MroError::DuplicateBase { .. } => "duplicate",
            MroError::Inconsistent { .. } => "inconsistent",
            MroError::BaseRefused { .. } => "base_refused",
        }
    }
}

/// A validated class graph with every class linearized.
#[derive(Debug, Clone)]
pub struct ClassGraph {
    defs: Vec<ClassDef>,
    mros: HashMap<String, Result<Vec<String>, MroError>>,
}

impl ClassGraph {
    /// Validates the definitions (any order) and linearizes every class.
    pub fn new(defs: Vec<ClassDef>) -> Result<Self, GraphError> {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, d) in defs.iter().enumerate() {
            if d.name == OBJECT || index.insert(&d.name, i).is_some() {
                return Err(GraphError::DuplicateClass(d.name.clone()));
            }
        }
        for d in &defs {
            if let Some(b) = d
                .bases
                .iter()
                .find(|b| *b != OBJECT && !index.contains_key(b.as_str()))
            {
                return Err(GraphError::UnknownBase {
                    class: d.name.clone(),
                    base: b.clone(),
                });
            }
        }
        let order = topological(&defs, &index)?;
        let mut mros: HashMap<String, Result<Vec<String>, MroError>> = HashMap::new();
        mros.insert(OBJECT.to_string(), Ok(vec![OBJECT.to_string()]));
        for i in order {
            let d = &defs[i];
            let mro = linearize(d, &mros);
            mros.insert(d.name.clone(), mro);
        }
        Ok(ClassGraph { defs, mros })
    }

    /// Parses "A; B(A); C(A, B)" (separated by `;` or newlines) and builds the graph.
    pub fn parse(text: &str) -> Result<Self, GraphError> {
        let mut defs = Vec::new();
        for item in text
            .split([';', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let bad = || GraphError::Syntax(item.to_string());
            let (name, bases) = match item.split_once('(') {
                None => (item, Vec::new()),
                Some((name, rest)) => {
                    let inner = rest.strip_suffix(')').ok_or_else(bad)?;
                    let bases: Vec<String> = inner
                        .split(',')
                        .map(str::trim)
                        .filter(|b| !b.is_empty())
                        .map(str::to_string)
                        .collect();
                    (name.trim(), bases)
                }
            };
            let ident = |s: &str| {
                !s.is_empty()
                    && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                    && !s.starts_with(|c: char| c.is_ascii_digit())
            };
            if !ident(name) || !bases.iter().all(|b| ident(b)) {
                return Err(bad());
            }
            defs.push(ClassDef {
                name: name.to_string(),
                bases,
            });
        }
        ClassGraph::new(defs)
    }

    /// The definitions, as given.
    pub fn defs(&self) -> &[ClassDef] {
        &self.defs
    }

    /// The MRO of `class` (ending with `object`), or why it has none. None for an unknown
    /// name.
    pub fn mro(&self, class: &str) -> Option<&Result<Vec<String>, MroError>> {
        self.mros.get(class)
    }
}

/// Definition order in which every class comes after its bases; a cycle is an error.
fn topological(defs: &[ClassDef], index: &BTreeMap<&str, usize>) -> Result<Vec<usize>, GraphError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut mark = vec![Mark::New; defs.len()];
    let mut order = Vec::with_capacity(defs.len());
    for start in 0..defs.len() {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next base to visit); the stack is the current path.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        mark[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let bases = &defs[node].bases;
            if *next < bases.len() {
                let base = &bases[*next];
                *next += 1;
                let Some(&b) = index.get(base.as_str()) else {
                    continue; // object
                };
                match mark[b] {
                    Mark::New => {
                        mark[b] = Mark::Active;
                        stack.push((b, 0));
                    }
                    Mark::Active => {
                        let from = stack.iter().position(|&(n, _)| n == b).unwrap_or(0);
                        let mut cycle: Vec<String> = stack[from..]
                            .iter()
                            .map(|&(n, _)| defs[n].name.clone())
                            .collect();
                        cycle.push(defs[b].name.clone());
                        return Err(GraphError::Cycle(cycle));
                    }
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                order.push(node);
                stack.pop();
            }
        }
    }
    Ok(order)
}

fn linearize(
    def: &ClassDef,
    mros: &HashMap<String, Result<Vec<String>, MroError>>,
) -> Result<Vec<String>, MroError> {
    let bases: Vec<String> = if def.bases.is_empty() {
        vec![OBJECT.to_string()]
    } else {
        def.bases.clone()
    };
    // A refused base first: such a class cannot even be written down (in Python, the base
    // name was never bound), so whether its bases repeat is moot.
    let mut lists: Vec<Vec<String>> = Vec::with_capacity(bases.len() + 1);
    for b in &bases {
        match mros.get(b) {
            Some(Ok(l)) => lists.push(l.clone()),
            _ => {
                return Err(MroError::BaseRefused {
                    class: def.name.clone(),
                    base: b.clone(),
                });
            }
        }
    }
    for (i, b) in bases.iter().enumerate() {
        if bases[..i].contains(b) {
            return Err(MroError::DuplicateBase {
                class: def.name.clone(),
                base: b.clone(),
            });
        }
    }
    lists.push(bases);
    let mut out = vec![def.name.clone()];
    out.extend(merge(lists).map_err(|heads| MroError::Inconsistent {
        class: def.name.clone(),
        heads,
    })?);
    Ok(out)
}

/// C3's merge; on failure, the heads that were left.
pub fn merge(mut lists: Vec<Vec<String>>) -> Result<Vec<String>, Vec<String>> {
    let mut out = Vec::new();
    // Each list is consumed from the front; keep it reversed so popping is O(1).
    for l in &mut lists {
        l.reverse();
    }
    loop {
        lists.retain(|l| !l.is_empty());
        if lists.is_empty() {
            return Ok(out);
        }
        let good = lists.iter().map(|l| l[l.len() - 1].clone()).find(|head| {
            !lists
                .iter()
                .any(|l| l[..l.len() - 1].iter().any(|x| x == head))
        });
        let Some(head) = good else {
            let mut heads: Vec<String> = lists.iter().map(|l| l[l.len() - 1].clone()).collect();
            heads.dedup();
            return Err(heads);
        };
        for l in &mut lists {
            if l.last() == Some(&head) {
                l.pop();
            }
        }
        out.push(head);
    }
}

/// A number in `0..n` (n > 0) from the shared seeded generator, by modulo: the draw the
/// random hierarchies were defined with, so a seed names the same hierarchies as before.
fn below(rng: &mut Rng, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

/// A random hierarchy of 3–10 classes `C0…Cn`, each with 0–3 bases drawn from the earlier
/// ones (occasionally `object` explicitly, occasionally a base twice), so that consistent,
/// inconsistent and duplicate-base classes all occur.
pub fn random_hierarchy(rng: &mut Rng) -> Vec<ClassDef> {
    let n = 3 + below(rng, 8);
    let mut defs: Vec<ClassDef> = Vec::with_capacity(n);
    for i in 0..n {
        let k = below(rng, i.min(3) + 1);
        let mut bases: Vec<String> = Vec::new();
        for _ in 0..k {
            let pick = below(rng, i + 1);
            let base = if pick == i {
                OBJECT.to_string()
            } else {
                format!("C{pick}")
            };
            // Mostly distinct bases; a repeat now and then exercises the duplicate check.
            if !bases.contains(&base) || below(rng, 20) == 0 {
                bases.push(base);
            }
        }
        defs.push(ClassDef {
            name: format!("C{i}"),
            bases,
        });
    }
    defs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mro(g: &ClassGraph, c: &str) -> Vec<String> {
        g.mro(c).expect("known").clone().expect("has an MRO")
    }

    #[test]
    fn simionato_first_example() {
        let g = ClassGraph::parse("F; E; D; C(D, F); B(D, E); A(B, C)").expect("graph");
        assert_eq!(mro(&g, "A"), ["A", "B", "C", "D", "E", "F", "object"]);
        let g = ClassGraph::parse("F; E; D; C(D, F); B(E, D); A(B, C)").expect("graph");
        assert_eq!(mro(&g, "A"), ["A", "B", "E", "C", "D", "F", "object"]);
    }

    #[test]
    fn pedalo_is_monotonic() {
        let g = ClassGraph::parse(
            "Boat; DayBoat(Boat); WheelBoat(Boat); EngineLess(DayBoat); \
             SmallMultihull(DayBoat); PedalWheelBoat(EngineLess, WheelBoat); \
             SmallCatamaran(SmallMultihull); Pedalo(PedalWheelBoat, SmallCatamaran)",
        )
        .expect("graph");
        assert_eq!(
            mro(&g, "Pedalo"),
            [
                "Pedalo",
                "PedalWheelBoat",
                "EngineLess",
                "SmallCatamaran",
                "SmallMultihull",
                "DayBoat",
                "WheelBoat",
                "Boat",
                "object"
            ]
        );
    }

    #[test]
    fn disagreement_and_duplicates_are_refused() {
        let g = ClassGraph::parse("X; Y; A(X, Y); B(Y, X); C(A, B); D(C); E(X, X)").expect("graph");
        assert_eq!(
            g.mro("C").expect("known").as_ref().unwrap_err().kind(),
            "inconsistent"
        );
        assert_eq!(
            g.mro("D").expect("known").as_ref().unwrap_err().kind(),
            "base_refused"
        );
        assert_eq!(
            g.mro("E").expect("known").as_ref().unwrap_err().kind(),
            "duplicate"
        );
        let g = ClassGraph::parse("Food; Eggs(Food); Good(Food, Eggs); Fine(Eggs, Food)")
            .expect("graph");
        assert!(g.mro("Good").expect("known").is_err());
        assert_eq!(mro(&g, "Fine"), ["Fine", "Eggs", "Food", "object"]);
        let g = ClassGraph::parse("A; X(object, A)").expect("graph");
        assert_eq!(
            g.mro("X").expect("known").as_ref().unwrap_err().kind(),
            "inconsistent"
        );
    }

    #[test]
    fn bad_graphs_are_clear_errors() {
        assert_eq!(
            ClassGraph::parse("A(B); B(A)").unwrap_err(),
            GraphError::Cycle(vec!["A".into(), "B".into(), "A".into()])
        );
        assert_eq!(
            ClassGraph::parse("A(Nope)").unwrap_err().to_string(),
            "class A has an unknown base Nope"
        );
        assert_eq!(
            ClassGraph::parse("A; A").unwrap_err(),
            GraphError::DuplicateClass("A".into())
        );
        assert!(matches!(
            ClassGraph::parse("A(B"),
            Err(GraphError::Syntax(_))
        ));
        assert!(matches!(
            ClassGraph::parse("1A"),
            Err(GraphError::Syntax(_))
        ));
        assert_eq!(
            ClassGraph::parse("A(A)").unwrap_err(),
            GraphError::Cycle(vec!["A".into(), "A".into()])
        );
    }

    #[test]
    fn random_hierarchies_are_seeded_and_valid() {
        let a = random_hierarchy(&mut Rng::new(7));
        let b = random_hierarchy(&mut Rng::new(7));
        assert_eq!(a, b);
        let mut rng = Rng::new(1);
        for _ in 0..1000 {
            ClassGraph::new(random_hierarchy(&mut rng)).expect("generated graphs are valid");
        }
    }
}
