"""Orders: one cart across shops, checkout, a resident's order split into shop orders, stock reservations.

Owns carts, orders, shop orders, their lines and fee lines, the reservation of stock
(decremented at checkout under row locks, restored on rejection, cancellation or expiry),
the order lifecycle and its emails, and the `PaymentMethod` and `DeliveryBooking` ports.
It must never import the delivery app (delivery reports progress by calling
`orders.services`), never compute a fee rate itself (governed parameters do), and never
change stock outside `services`/`checkout` with the locks of `lock_objects.py`.
"""
