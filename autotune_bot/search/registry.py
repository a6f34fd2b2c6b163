"""Every search algorithm by name (the names settings and the command line use)."""

from __future__ import annotations

from autotune_bot.search.base import Searcher
from autotune_bot.search.bayesian import BayesianOptimization
from autotune_bot.search.genetic import Genetic
from autotune_bot.search.hill_climbing import HillClimbing
from autotune_bot.search.random_search import RandomSearch
from autotune_bot.search.simulated_annealing import SimulatedAnnealing

__all__ = ["SEARCHERS"]

SEARCHERS: dict[str, type[Searcher]] = {
    "random": RandomSearch,
    "hill_climbing": HillClimbing,
    "simulated_annealing": SimulatedAnnealing,
    "genetic": Genetic,
    "bayesian": BayesianOptimization,
}
