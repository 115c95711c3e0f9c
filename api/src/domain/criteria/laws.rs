//! Property-style tests: the boolean laws, and parse/serialise round trips, over a few thousand
//! deterministic pseudo-random trees and fact sets (no proptest: a seeded generator keeps every
//! failure reproducible and the dependency list short).

use super::parse::Expect;
use super::{Comparison, Criteria, Field, FieldKey, Literal, Op, OwnedFact, StaticFacts};

const CASES: usize = 4000;

/// SplitMix64: tiny, seedable, and good enough to spread choices evenly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A short list of picks, so IN lists sometimes hit and sometimes miss.
    fn some<T: Clone>(&mut self, items: &[T]) -> Vec<T> {
        (0..1 + self.below(3))
            .map(|_| self.pick(items).clone())
            .collect()
    }
}

// Small vocabularies so that generated comparisons and facts often agree.
const TEXTS: &[&str] = &[
    "Software",
    "saas",
    "SOFTWARE",
    "VP of Sales",
    "sales vp",
    "fr",
    "x",
];
/// Quarters and halves are exact in binary, so numbers survive the JSON text round trip.
const NUMBERS: &[f64] = &[-3.25, 0.0, 0.5, 50.0, 199.75, 200.0, 1000.0];

fn fields() -> Vec<Field> {
    let key = |k: &str| FieldKey::new(k).unwrap();
    let mut fields = Field::FIXED.to_vec();
    fields.push(Field::AccountCustom(key("plan")));
    fields.push(Field::ContactCustom(key("seats")));
    fields.push(Field::EventProperty(key("path")));
    fields
}

fn texts(rng: &mut Rng) -> Vec<String> {
    rng.some(TEXTS).into_iter().map(str::to_owned).collect()
}

/// A value of the type `expect` asks for; `None` for EXISTS.
fn literal(rng: &mut Rng, expect: Expect) -> Option<Literal> {
    let text = |rng: &mut Rng| rng.pick(TEXTS).to_string();
    Some(match expect {
        Expect::Nothing => return None,
        Expect::Text | Expect::Needle => Literal::Text(text(rng)),
        Expect::Number => Literal::Number(*rng.pick(NUMBERS)),
        Expect::Bool => Literal::Bool(rng.chance(50)),
        Expect::Scalar => match rng.below(3) {
            0 => Literal::Text(text(rng)),
            1 => Literal::Number(*rng.pick(NUMBERS)),
            _ => Literal::Bool(rng.chance(50)),
        },
        Expect::TextList | Expect::Phrases => Literal::TextList(texts(rng)),
        Expect::NumberList => Literal::NumberList(rng.some(NUMBERS)),
        Expect::ScalarList if rng.chance(50) => Literal::TextList(texts(rng)),
        Expect::ScalarList => Literal::NumberList(rng.some(NUMBERS)),
        Expect::Range => {
            let (a, b) = (*rng.pick(NUMBERS), *rng.pick(NUMBERS));
            Literal::NumberList(vec![a.min(b), a.max(b)])
        }
    })
}

/// A valid comparison on a random field, with an op its kind allows.
fn comparison(rng: &mut Rng, fields: &[Field]) -> Comparison {
    let field = rng.pick(fields).clone();
    let ops: Vec<(Op, Expect)> = Op::ALL
        .into_iter()
        .filter_map(|op| Expect::of(op, field.kind()).map(|e| (op, e)))
        .collect();
    let &(op, expect) = rng.pick(&ops);
    let value = literal(rng, expect);
    Comparison { field, op, value }
}

/// A valid tree at most `depth` levels deep, at most 3 wide: under 200 nodes for depth <= 4.
fn criteria(rng: &mut Rng, fields: &[Field], depth: usize) -> Criteria {
    if depth <= 1 || rng.chance(40) {
        return Criteria::Compare(comparison(rng, fields));
    }
    let width = 1 + rng.below(3);
    let children = |rng: &mut Rng| {
        (0..width)
            .map(|_| criteria(rng, fields, depth - 1))
            .collect()
    };
    match rng.below(3) {
        0 => Criteria::All(children(rng)),
        1 => Criteria::Any(children(rng)),
        _ => Criteria::Not(Box::new(criteria(rng, fields, depth - 1))),
    }
}

/// Facts for a random subset of fields; custom fields get a value of any scalar type.
fn facts(rng: &mut Rng, fields: &[Field]) -> StaticFacts {
    use super::FieldKind as K;
    let mut facts = StaticFacts::new();
    for field in fields {
        if rng.chance(30) {
            continue;
        }
        let kind = match field.kind() {
            K::Scalar => *rng.pick(&[K::Text, K::Number, K::Bool]),
            kind => kind,
        };
        let value = match kind {
            K::Text | K::Scalar => OwnedFact::Text(rng.pick(TEXTS).to_string()),
            K::Number => OwnedFact::Number(*rng.pick(NUMBERS)),
            K::Bool => OwnedFact::Bool(rng.chance(50)),
            K::TextList => OwnedFact::TextList(texts(rng)),
        };
        facts.insert(field.clone(), value);
    }
    facts
}

fn not(c: &Criteria) -> Criteria {
    Criteria::Not(Box::new(c.clone()))
}

/// Runs `check` on `CASES` seeded cases; a failure names its case number.
fn for_all(mut check: impl FnMut(&mut Rng, &[Field], usize)) {
    let fields = fields();
    let mut rng = Rng(0x00AC_C02D);
    for case in 0..CASES {
        check(&mut rng, &fields, case);
    }
}

#[test]
fn boolean_laws_hold() {
    let mut met = 0;
    for_all(|rng, fields, case| {
        let (a, b) = (criteria(rng, fields, 4), criteria(rng, fields, 4));
        let facts = facts(rng, fields);
        let eval = |c: Criteria| c.evaluate(&facts);
        let (va, vb) = (a.evaluate(&facts), b.evaluate(&facts));
        met += usize::from(va);
        let both = [a.clone(), b.clone()];
        let negated = [not(&a), not(&b)];
        assert_eq!(eval(not(&not(&a))), va, "not(not(c)), case {case}: {a}");
        assert_eq!(
            eval(not(&Criteria::All(both.to_vec()))),
            eval(Criteria::Any(negated.to_vec())),
            "De Morgan over all, case {case}: {a} / {b}"
        );
        assert_eq!(
            eval(not(&Criteria::Any(both.to_vec()))),
            eval(Criteria::All(negated.to_vec())),
            "De Morgan over any, case {case}: {a} / {b}"
        );
        assert_eq!(
            eval(Criteria::All(vec![a.clone()])),
            va,
            "all(c), case {case}: {a}"
        );
        assert_eq!(
            eval(Criteria::Any(vec![a.clone()])),
            va,
            "any(c), case {case}: {a}"
        );
        assert_eq!(eval(Criteria::All(both.to_vec())), va && vb, "case {case}");
        assert_eq!(eval(Criteria::Any(both.to_vec())), va || vb, "case {case}");
    });
    // The laws are only worth checking if the trees are neither always true nor always false.
    assert!(
        (CASES / 5..CASES * 4 / 5).contains(&met),
        "{met} of {CASES} met"
    );
}

#[test]
fn negated_ops_are_complements() {
    for_all(|rng, fields, case| {
        let facts = facts(rng, fields);
        let c = comparison(rng, fields);
        let complement = match c.op {
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::In => Op::NotIn,
            Op::NotIn => Op::In,
            _ => return,
        };
        let flipped = Comparison {
            op: complement,
            ..c.clone()
        };
        let eval = |c: Comparison| Criteria::Compare(c).evaluate(&facts);
        assert_ne!(eval(c.clone()), eval(flipped), "case {case}: {c}");
    });
}

#[test]
fn json_round_trips_hold() {
    for_all(|rng, fields, case| {
        let c = criteria(rng, fields, 5);
        let json = c.to_json();
        let parsed = Criteria::parse(&json).unwrap_or_else(|e| panic!("case {case}: {e}: {json}"));
        assert_eq!(parsed, c, "case {case}");
        assert_eq!(parsed.to_json(), json, "case {case}");
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(
            serde_json::from_str::<Criteria>(&text).unwrap(),
            c,
            "case {case}: {text}"
        );
    });
}

#[test]
fn explain_agrees_with_evaluate() {
    for_all(|rng, fields, case| {
        let c = criteria(rng, fields, 4);
        let facts = facts(rng, fields);
        let clauses = c.explain(&facts);
        let all_met = clauses.iter().all(|clause| clause.met);
        assert_eq!(all_met, c.evaluate(&facts), "case {case}: {c}");
        if let Criteria::All(children) = &c {
            assert_eq!(clauses.len(), children.len(), "case {case}");
        }
    });
}

#[test]
fn every_applicable_op_parses_and_fails_on_missing_facts() {
    let mut rng = Rng(7);
    let nothing = StaticFacts::new();
    for field in fields() {
        for op in Op::ALL {
            let Some(expect) = Expect::of(op, field.kind()) else {
                continue;
            };
            let c = Criteria::Compare(Comparison {
                field: field.clone(),
                op,
                value: literal(&mut rng, expect),
            });
            assert_eq!(Criteria::parse(&c.to_json()).as_ref(), Ok(&c));
            let expected = matches!(op, Op::Ne | Op::NotIn);
            assert_eq!(c.evaluate(&nothing), expected, "{c} on no facts");
        }
    }
}
