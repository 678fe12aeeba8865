"""Delivery round planner: the pure optimisation core of the delivery cooperative.

It owns the planning problem (locations, shipments from shops to residents, vehicles
with capacities and shifts), the solvers that turn it into rounds, and an independent
checker for any plan. Objective: fewer rounds first (fewer courier-hours), then
distance.

It must never import Django or touch the database: the delivery app translates its
models into `model.Problem` and stores the returned `model.Solution`. Keeping it pure
means it is tested and benchmarked without a database, and an import-linter contract
holds it to that.
"""
