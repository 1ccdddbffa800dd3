"""The paper's numbers, in one place (Banino et al., Nature 2018, and the work it is read with).

Every figure that gridcore compares against is defined here once; plots, chapters and reports
import it. Units are in the names: metres (``_M``), centimetres (``_CM``), seconds (``_S``).
"""

from __future__ import annotations

# --- the task (Methods; Supplementary Table 1) --------------------------------------------------
BOX_SIZE_M = 2.2  # side of the square arena; coordinates run from -1.1 to 1.1 m
DURATION_S = 15.0  # duration of a simulated trajectory (Supplementary Table 1, T)
DT_S = 0.02  # simulation step (the table's "simulation-step time increment")
SEQ_LEN = 100  # network steps per training trajectory: 15 s seen every 0.15 s
N_PLACE = 256  # place cells
PLACE_SIGMA_M = 0.01  # place-cell width
N_HD = 12  # head-direction cells
HD_KAPPA = 20.0  # head-direction concentration
ENSEMBLE_SEED = 8341  # DeepMind's seed for the ensembles' centres
N_HIDDEN = 128  # LSTM units
N_BOTTLENECK = 256  # bottleneck (linear) units in DeepMind's code; the text says 512
DROPOUT = 0.5  # on the bottleneck, while training
LR = 1e-5  # RMSProp learning rate
MOMENTUM = 0.9
GRAD_CLIP = 1e-5  # gradient value clip
WEIGHT_DECAY = 1e-5  # L2 on the read-out weights
BATCH_SIZE = 10
UPDATES = 300_000

# --- the motion model (after Raudies & Hasselmo 2012) -------------------------------------------
RAYLEIGH_SPEED_M_S = 0.13  # scale of the forward-speed distribution
TURN_SD_DEG_S = 330.0  # rotational velocity noise
WALL_DISTANCE_M = 0.03  # the rat turns away when closer than this to a wall, heading to it

# --- scoring -------------------------------------------------------------------------------------
GRID_THRESHOLD = 0.37  # 60-degree grid score above which a unit is grid-like (paper)
STRICT_GRID_THRESHOLD = 0.8  # stricter threshold (Schaeffer et al. 2022)
RATEMAP_BINS = 32  # bins per side in the text (DeepMind's code uses 20)

# --- results -------------------------------------------------------------------------------------
GRID_FRACTION = 0.252  # bottleneck units with a 60-degree score > 0.37
PATH_ERROR_15S_CM = {"trained": 16.0, "untrained": 91.0}  # mean error after 15 s
GRID_SCALE_RANGE_M = (0.28, 1.15)  # range of grid scales of the grid-like units
MODULE_SCALES_M = (0.47, 0.70, 1.06)  # centres of the three scale clusters
MODULE_RATIO = 1.5  # ratio of successive module scales, about

# --- independent reproductions at the paper's time base (their figures, not gridcore's runs) ---
# Both simulate 15 s at 0.02 s and resample to 100 network steps; both train the paper's recipe
# for 3e5 steps (lr 1e-5, clip 1e-5, batch 10). Grid-like: DeepMind's score above 0.37.
PORTS = {
    "aaravsinhaofficial/banino": {
        "seeds": 6,
        "grid_fraction": 0.178,  # mean over seeds (s.d. 0.020); 512 bottleneck units
        "error_15s_cm": 19.1,  # decoding error at 15 s (s.d. 0.6)
        "untrained_error_15s_cm": 124.6,
        "scale_clusters_m": (1.05, 1.85),
    },
    "soluslan/grid-cells-torch": {"seeds": 1, "grid_fraction": 0.180},
}

# --- the navigation agent (Methods, Supplementary Information and its Table 2) ---------------
NAV_ANCHOR_FRACTION = (
    0.05  # vision's place and HD predictions reach the grid network on ~5 % of steps
)
NAV_EPISODE_STEPS = 5400  # 90 s at 60 frames per second
NAV_TRAINING_FRAMES = 1e9  # environment frames per agent
NAV_GOALS = {  # mean score over 100 test episodes: grid agent, place agent
    "open arena": (289.0, 238.0),
    "goal-driven maze": (346.5, 258.76),
    "goal-doors": (284.3, 90.53),
}
NAV_LESION = (126.1, 152.5)  # score with the 25 % most grid-like units silenced, or 25 % at random
