from django.urls import path

from . import portfolio_views
from .views import (
    account,
    comments,
    fragments,
    home,
    inbox,
    notifications,
    projects,
    team,
    workflow,
)

app_name = "frontend"

urlpatterns = [
    path("", home.home, name="home"),
    path("pipeline/", home.board, name="board"),
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_propose, name="project_propose"),
    path("projects/<int:pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:pk>/delete/", projects.project_delete, name="project_delete"),
    path("projects/<int:pk>/follow/", projects.project_follow, name="project_follow"),
    path("projects/<int:pk>/team/", team.team, name="team"),
    path("projects/<int:pk>/team/<int:user_id>/role/", team.change_role, name="team_role"),
    path("projects/<int:pk>/team/<int:user_id>/remove/", team.remove_member, name="team_remove"),
    path(
        "projects/<int:pk>/checklist/<int:item_id>/<str:action>/",
        workflow.item_action,
        name="item_action",
    ),
    path("projects/<int:pk>/review/", workflow.review_open, name="review_open"),
    path("reviews/<int:review_id>/withdraw/", workflow.review_withdraw, name="review_withdraw"),
    path("reviews/<int:review_id>/decide/", workflow.review_decide, name="review_decide"),
    path("projects/<int:pk>/transitions/<str:name>/", workflow.transition, name="transition"),
    path("projects/<int:pk>/comments/", comments.comment_post, name="comment_post"),
    path("comments/<int:comment_id>/reply/", comments.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", comments.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", comments.comment_delete, name="comment_delete"),
    path("projects/<int:pk>/live/workflow/", fragments.workflow_fragment, name="live_workflow"),
    path("projects/<int:pk>/live/review/", fragments.review_fragment, name="live_review"),
    path("projects/<int:pk>/live/items/<int:item_id>/", fragments.item_fragment, name="live_item"),
    path(
        "projects/<int:pk>/live/comments/<int:comment_id>/",
        fragments.comment_fragment,
        name="live_comment",
    ),
    path("inbox/", inbox.inbox, name="inbox"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("notifications/read/", notifications.notification_read_all, name="notifications_read"),
    path("account/", account.account, name="account"),
    path("unsubscribe/<str:token>/", account.unsubscribe, name="unsubscribe"),
    path("portfolio/", portfolio_views.portfolio_page, name="portfolio"),
]
