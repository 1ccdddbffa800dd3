"""gridcore: grow grid cells from scratch (Banino et al., Nature 2018) on a laptop CPU.

One module per concept of the paper, grouped in packages by layer. A package imports only from
the packages beneath it, and a module from its own package without cycles
(``tests/test_layers.py`` holds the ranks):

0. the base, at the top of ``gridcore`` (stdlib and numpy): ``paper`` (the paper's numbers),
   ``errors``, ``files``, ``formatting`` and ``shipped`` (the shipped networks and sweep
   tables by name);
1. :mod:`gridcore.scoring` (numpy only, never torch): binning, the grid score and its nulls,
   SAC geometry, grid modules among the scales, the grid period, topology, cell types,
   synthetic maps;
2. :mod:`gridcore.world` (torch): the rat's paths, its arenas and cube, its place and
   head-direction cells, real rats;
3. :mod:`gridcore.net`: the network, its optimisers, its config and task, a trained network
   read back from its run directory;
4. :mod:`gridcore.analysis`: what a trained network does (ratemaps, path integration, the
   census, results, real paths, the torus, the comparison with the paper); never training;
5. :mod:`gridcore.training` (the training loops, their recorder, stacked networks,
   diagnostics) and, beside it, :mod:`gridcore.navigation` (goal vectors, agents, shortcuts,
   the gymnasium environment, RL agents); neither imports the other;
6. :mod:`gridcore.sweeps`: many networks trained and scored, and their tables;
7. :mod:`gridcore.plots`: every figure, a sweep's tables among them;
8. ``headline`` (the paper's claims against the shipped tables), then ``cli`` and
   ``__main__`` (``python -m gridcore``).

The 3-D pieces stay beside their 2-D counterparts, in their layer's package: ``binning3d`` and
``scores3d`` in scoring, ``volume`` and ``ensembles3d`` in world, ``ratemaps3d`` in analysis.
They span the layers as the 2-D ones do: the task (net) builds the 3-D ensembles, and the 3-D
maps need a trained network.

The subpackages' ``__init__`` modules export nothing: import the module
(``from gridcore.scoring import scores``). ``plots`` and ``sweeps`` gather their public names.
"""

__version__ = "0.1.0"
