import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

// A lead's booking page as the person sees it on a phone, in German (tests/test_booking.py
// opens it at 390 x 844 as nobody in particular), and the setter who sends the link.

const pickOnDay = (day) => [
    { content: `the day ${day + 1} of the free times`, trigger: `.o_deal_inquiry_day[data-day='${day}']`, run: "click" },
    {
        content: "its first free time",
        trigger: `.o_deal_inquiry_day_times[data-day='${day}']:not(.d-none) label.btn:first`,
        run: "click",
    },
];

registry.category("web_tour.tours").add("crm_deal_phases_booking_page", {
    steps: () => [
        { content: "the page speaks German, by name", trigger: "h1:contains('Jana')" },
        { content: "the free times in German", trigger: ".o_deal_inquiry_slots legend:contains('Wann passt es Ihnen?')" },
        ...pickOnDay(3),
        {
            content: "book it",
            trigger: "form.o_deal_booking_form button[type=submit]:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        { content: "booked", trigger: ".alert-success:contains('Ihr Beratungsgespräch ist gebucht')" },
        { content: "with its calendar file", trigger: "a[download='consultation.ics']" },
        {
            content: "say I will attend",
            trigger: "form.o_deal_booking_attend button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        { content: "thanked", trigger: ".alert-success:contains('Vielen Dank')" },
        { content: "and confirmed", trigger: ".text-success:contains('Sie haben Ihre Teilnahme bestätigt')" },
        ...pickOnDay(4),
        {
            content: "move to that time",
            trigger: "form.o_deal_booking_move button[type=submit]:enabled",
            run: "click",
            expectUnloadPage: true,
        },
        { content: "moved", trigger: ".alert-success:contains('Ihr Beratungsgespräch ist verschoben')" },
        { content: "another time or cancel", trigger: "a.o_deal_booking_change", run: "click", expectUnloadPage: true },
        { content: "I cannot come", trigger: "label[for=confirm_cancel]", run: "click" },
        {
            content: "cancel it",
            trigger: "form.o_deal_booking_cancel button[type=submit]",
            run: "click",
            expectUnloadPage: true,
        },
        { content: "cancelled", trigger: ".alert-info:contains('abgesagt')" },
        { content: "and a new time may be booked", trigger: "form.o_deal_booking_form .o_deal_inquiry_slots label.btn" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_send_booking_link", {
    steps: () => [
        {
            content: "the lead waits in Qualified (without appointment)",
            trigger: [".o_arrow_button_current", ".dropdown-toggle"]
                .map((button) => `.o_statusbar_status button${button}:contains('Qualifiziert (ohne Termin)')`)
                .join(", "),
        },
        { content: "send booking link", trigger: "button[name=action_send_booking_link]", run: "click" },
        { content: "the link, shown once", trigger: ".modal .o_field_widget[name=url]:contains('/crm_deal_phases/book/')" },
        {
            content: "WhatsApp",
            trigger: ".modal button[name=action_whatsapp]",
            run() {
                // the setter's own WhatsApp opens in a new tab: the tour reads the address instead
                browser.open = (url) => {
                    document.body.dataset.whatsappUrl = url;
                };
                this.anchor.click();
            },
        },
        {
            content: "the click-to-chat address: the mobile number, the message with the link",
            trigger: "body[data-whatsapp-url]",
            run() {
                const address = new URL(document.body.dataset.whatsappUrl);
                const link = document.querySelector(".modal .o_field_widget[name=url]").textContent.trim();
                const text = address.searchParams.get("text") || "";
                if (address.origin + address.pathname !== "https://wa.me/4915123456789") {
                    throw new Error(`WhatsApp address ${address}`);
                }
                if (!text.startsWith("Hallo Jana") || !text.includes(link)) {
                    throw new Error(`WhatsApp message ${text} without ${link}`);
                }
            },
        },
        { content: "send by e-mail", trigger: ".modal button[name=action_send_mail]", run: "click" },
        { content: "the dialog closes", trigger: "body:not(:has(.modal))" },
        { content: "the mail in the chatter", trigger: ".o-mail-Message:contains('Termin wählen')" },
        { content: "the deal phase tab", trigger: ".o_notebook a[name=deal_phase]", run: "click" },
        {
            content: "the link sent, revoked after all",
            trigger: ".o_field_widget[name=booking_link_ids] .o_data_row button[name=action_revoke]",
            run: "click",
        },
        { content: "confirm", trigger: ".modal-footer .btn-primary", run: "click" },
        { content: "no link works any more", trigger: ".o_form_view:not(:has(.o_field_widget[name=booking_link_ids] .o_data_row))" },
    ],
});
