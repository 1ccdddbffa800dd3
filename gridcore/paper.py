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
