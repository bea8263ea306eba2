from django.apps import apps
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from .forms import FeedbackForm


def feedback_form(request):
    max_length = apps.get_app_config("feedback").setting("MAX_COMMENT_LENGTH")
    if request.method == "POST":
        form = FeedbackForm(request.POST, max_comment_length=max_length)
        if form.is_valid():
            if not form.is_spam():
                feedback = form.save(commit=False)
                feedback.user = request.user if request.user.is_authenticated else None
                feedback.language = get_language() or ""
                feedback.save()
            return redirect("feedback:thanks")
    else:
        form = FeedbackForm(
            initial={"page_url": request.GET.get("from", "")}, max_comment_length=max_length
        )
    return render(request, "feedback/form.html", {"form": form}, status=400 if form.errors else 200)


def thanks(request):
    return render(request, "feedback/thanks.html")
