from django.urls import path

from comptoir.governance import views

app_name = "governance"
urlpatterns = [
    path("gouvernance/", views.proposals, name="proposals"),
    path("gouvernance/propositions/nouvelle/", views.new_proposal, name="new"),
    path("gouvernance/propositions/<int:proposal_id>/", views.proposal, name="proposal"),
    path("gouvernance/propositions/<int:proposal_id>/soumettre/", views.submit, name="submit"),
    path("gouvernance/propositions/<int:proposal_id>/commenter/", views.comment, name="comment"),
    path("gouvernance/propositions/<int:proposal_id>/voter/", views.vote, name="vote"),
    path("gouvernance/recu/", views.verify, name="verify"),
]
