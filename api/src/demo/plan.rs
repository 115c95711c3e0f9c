//! The demo's fixed inputs: its seed, its team and the companies in its market.

use rand::{rngs::StdRng, SeedableRng};

use super::{cast, DemoArgs};

pub const WORKSPACE_NAME: &str = "Lumen Demo";

/// Companies in the market: enough that most prospects are new faces at known accounts.
const COMPANIES: usize = 400;

pub struct World {
    pub seed: u64,
    pub team: Vec<cast::Person>,
    pub companies: Vec<cast::Company>,
}

impl World {
    pub fn new(args: &DemoArgs) -> Self {
        let mut rng = StdRng::seed_from_u64(args.seed);
        let team = cast::team(&mut rng);
        let companies = cast::companies(&mut rng, COMPANIES);
        Self {
            seed: args.seed,
            team,
            companies,
        }
    }

    /// The generator the story draws from, independent of how the cast was drawn.
    pub fn story_rng(&self) -> StdRng {
        StdRng::seed_from_u64(
            self.seed
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(1),
        )
    }
}
