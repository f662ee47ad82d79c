/** The inquiry page's free times are shown in the visitor's time zone: a first visit, before
 * the browser has told it (Odoo's frontend layout keeps it in the tz cookie from now on), is
 * loaded once more when the guess was wrong. Only a page opened with GET: a form sent back
 * with its errors is never sent again by a reload. */
(function () {
    const slots = document.querySelector(".o_deal_inquiry_slots[data-tz-guessed]");
    if (!slots) {
        return;
    }
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const reloaded = "o_deal_inquiry_tz_reloaded";
    if (tz && tz !== slots.dataset.tz && !sessionStorage.getItem(reloaded)) {
        sessionStorage.setItem(reloaded, "1");
        document.cookie = `tz=${tz}; path=/`;
        window.location.reload();
    }
})();
