"""Shared delivery: zones, slots, vehicles, shifts, fees at cost, planning, rounds, tracking.

It owns everything between a booked slot and a parcel in the resident's hands: it
books capacity for orders' checkout (through orders' `DeliveryBooking` port),
prices deliveries at cost from governed rates, plans rounds with the pure planner
core (`planner/`), serves the courier's phone page and the resident's tracking.
It reports progress to orders only through orders' services (`order_events.py`);
orders never import it, and it never changes an order's rows itself.
"""
