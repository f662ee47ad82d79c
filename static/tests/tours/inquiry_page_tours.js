import { registry } from "@web/core/registry";

// The inquiry page as a visitor sees it on a phone, in German (tests/test_inquiry_page.py
// opens it at 390 x 844 as nobody in particular).

const answerEveryQuestion = (firstName, phone) => [
    { content: "the page speaks German", trigger: "label[for=first_name]:contains('Vorname')" },
    { content: "first name", trigger: "#first_name", run: `edit ${firstName}` },
    { content: "last name", trigger: "#last_name", run: "edit Jonas" },
    { content: "mobile number", trigger: "#phone", run: `edit ${phone}` },
    { content: "e-mail", trigger: "#email", run: `edit ${firstName.toLowerCase()}@example.com` },
    { content: "a number", trigger: "#answer_budget", run: "edit 5000" },
    { content: "yes or no", trigger: "label[for=answer_decider-0]:contains('Ja')", run: "click" },
    { content: "a selection as buttons", trigger: "label[for=answer_start-1]:contains('Später')", run: "click" },
    { content: "a selection as a list", trigger: "#answer_branch", run: "select b4" },
    { content: "a decimal", trigger: "#answer_rate", run: "edit 85,5" },
    {
        content: "a date",
        trigger: "#answer_since",
        run() {
            // the browser's date picker is no text field to type into
            this.anchor.value = "2019-04-01";
            this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
        },
    },
    { content: "a text", trigger: "#answer_goal", run: "edit Mehr Kunden" },
];

const consentAndSend = () => [
    { content: "consent", trigger: "#consent", run: "click" },
    {
        content: "send",
        trigger: "button[type=submit]:contains('Anfrage senden')",
        run: "click",
        expectUnloadPage: true,
    },
];

registry.category("web_tour.tours").add("crm_deal_phases_inquiry_page", {
    steps: () => [
        ...answerEveryQuestion("Jana", "0151 23456789"),
        {
            content: "the setter calls offered, in German",
            trigger: ".o_deal_inquiry_slots legend:contains('Wann dürfen wir Sie anrufen?')",
        },
        { content: "book the first free time", trigger: ".o_deal_inquiry_slots label.btn:first", run: "click" },
        ...consentAndSend(),
        { content: "thanked by name", trigger: "h1:contains('Danke, Jana!')" },
        { content: "the booked time is named", trigger: "p:contains('Ihr Anruf ist gebucht')" },
        { content: "with its calendar file", trigger: "a[download='call.ics']" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_inquiry_slot_taken", {
    steps: () => [
        ...answerEveryQuestion("Rolf", "0151 87654321"),
        { content: "pick the first free time", trigger: ".o_deal_inquiry_slots label.btn:first", run: "click" },
        {
            content: "meanwhile another visitor books that time",
            trigger: ".o_deal_inquiry_slots input.btn-check:checked",
            run: async () => {
                const form = document.querySelector("form.o_deal_inquiry_form");
                const other = new URLSearchParams({
                    csrf_token: form.querySelector("[name=csrf_token]").value,
                    submission_id: "another-visitor-0000000001",
                    first_name: "Anna",
                    last_name: "Anders",
                    phone: "0151 11223344",
                    answer_budget: "100",
                    answer_start: "now",
                    consent: "yes",
                    slot: form.querySelector("input[name=slot]:checked").value,
                });
                const answer = await fetch(form.action, { method: "POST", body: other });
                if (!(await answer.text()).includes("Danke, Anna!")) {
                    throw new Error("the other visitor's booking failed");
                }
            },
        },
        ...consentAndSend(),
        { content: "the time was just taken", trigger: "#slot-error:contains('gerade vergeben')" },
        { content: "what was typed is kept", trigger: "#first_name[value='Rolf']" },
        { content: "the taken time is gone: the next free one", trigger: ".o_deal_inquiry_slots label.btn:first", run: "click" },
        { content: "send again", trigger: "button[type=submit]", run: "click", expectUnloadPage: true },
        { content: "booked", trigger: "h1:contains('Danke, Rolf!')" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_inquiry_arrived", {
    steps: () => [
        {
            content: "the inquiry is in Inquiry received",
            trigger: [".o_arrow_button_current", ".dropdown-toggle"]
                .map((button) => `.o_statusbar_status button${button}:contains('Anfrage eingegangen')`)
                .join(", "),
        },
        { content: "its answers", trigger: ".o_field_properties:contains('Entscheider'):contains('Später')" },
        { content: "the contacts tab", trigger: ".o_notebook a[name=lead]", run: "click" },
        {
            content: "its attribution from the link",
            trigger: ".o_field_widget[name=campaign_id]",
            run() {
                const shown = (name) => {
                    const field = document.querySelector(`.o_field_widget[name=${name}]`);
                    return (field?.querySelector("input")?.value || field?.textContent || "").trim();
                };
                if (shown("source_id").toLowerCase() !== "facebook" || shown("campaign_id") !== "winter") {
                    throw new Error(`source ${shown("source_id")}, campaign ${shown("campaign_id")}`);
                }
            },
        },
        { content: "the deal phase tab", trigger: ".o_notebook a[name=deal_phase]", run: "click" },
        {
            content: "its setter and its setter call",
            trigger: ".o_field_widget[name=setter_appointment]",
            run() {
                const shown = (field) => field && (field.querySelector("input")?.value || field.textContent).trim();
                const setter = shown(document.querySelector(".o_field_widget[name=setter_id]"));
                const call = shown(this.anchor);
                if (!call || !setter?.includes("Sina Setter")) {
                    throw new Error(`setter ${setter}, call ${call}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_setter_call_in_calendar", {
    steps: () => [
        {
            content: "the booked call is in the setter's calendar",
            trigger: ".o_data_row:contains('Setter-Termin'), .o_kanban_record:contains('Setter-Termin')",
        },
    ],
});
