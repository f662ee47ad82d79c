/** The inquiry page's free times are shown in the visitor's time zone: a first visit, before
 * the browser has told it (Odoo's frontend layout keeps it in the tz cookie from now on), is
 * loaded once more when the guess was wrong. Only a page opened with GET: a form sent back
 * with its errors is never sent again by a reload.
 *
 * The times come day by day: a row of days, then the chosen day's times (the day of the time
 * already picked, else the first). Without the script every day's times are listed. */
(function () {
    const slots = document.querySelector(".o_deal_inquiry_slots");
    if (!slots) {
        return;
    }
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const reloaded = "o_deal_inquiry_tz_reloaded";
    if (slots.dataset.tzGuessed && tz && tz !== slots.dataset.tz && !sessionStorage.getItem(reloaded)) {
        sessionStorage.setItem(reloaded, "1");
        document.cookie = `tz=${tz}; path=/`;
        window.location.reload();
        return;
    }
    const days = slots.querySelector(".o_deal_inquiry_days");
    if (!days) {
        return;
    }
    const showDay = (day) => {
        for (const button of days.querySelectorAll(".o_deal_inquiry_day")) {
            const chosen = button.dataset.day === day;
            button.setAttribute("aria-pressed", String(chosen));
            button.classList.toggle("active", chosen);
        }
        for (const times of slots.querySelectorAll(".o_deal_inquiry_day_times")) {
            times.classList.toggle("d-none", times.dataset.day !== day);
        }
    };
    days.addEventListener("click", (event) => {
        const button = event.target.closest(".o_deal_inquiry_day");
        if (button) {
            showDay(button.dataset.day);
        }
    });
    const picked = slots.querySelector(".o_deal_inquiry_day_times input:checked");
    days.classList.replace("d-none", "d-flex");
    showDay(picked ? picked.closest(".o_deal_inquiry_day_times").dataset.day : "0");
})();
