import { registry } from "@web/core/registry";

// The team works in German: the tours read and click what a German-speaking user sees.
// tests/test_ui.py creates the leads they open ("Tour 01" ... as in its TOUR_CASES).

const { DateTime } = luxon;
const inDays = (days, hour = 10) =>
    DateTime.now().plus({ days }).set({ hour, minute: 0, second: 0 }).toFormat("dd.MM.yyyy HH:mm:ss");

const column = (title) => `.o_kanban_group:has(.o_column_title:contains('${title}'))`;
const modal = ".modal:not(.o_inactive_modal)";

function openRow(name) {
    return [
        {
            content: `open ${name}`,
            trigger: `.o_list_view .o_data_row .o_data_cell[name=name]:contains('${name}')`,
            run: "click",
        },
        { content: `${name} is open`, trigger: `.o_form_view .o_breadcrumb:contains('${name}')` },
    ];
}

const backToList = () => [
    { content: "back to the list", trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
    { content: "the list is back", trigger: ".o_list_view .o_data_row" },
];

// The statusbar shows the current phase as its current step, or, in a crowded header, on its
// collapsed toggle.
const isIn = (phase) => ({
    content: `the lead is in ${phase}`,
    trigger: [".o_arrow_button_current", ".dropdown-toggle"]
        .map((button) => `body:not(:has(${modal})) .o_statusbar_status button${button}:contains('${phase}')`)
        .join(", "),
});

const openCrm = () => [
    { content: "open the apps menu", trigger: ".o_navbar_apps_menu button", run: "click" },
    { content: "open CRM", trigger: ".o-dropdown-item[data-menu-xmlid='crm.crm_menu_root'], .o_app[data-menu-xmlid='crm.crm_menu_root']", run: "click" },
];

const confirm = (label = "Bestätigen") => ({
    content: `confirm: ${label}`,
    trigger: `${modal} .modal-footer button.btn-primary:contains('${label}')`,
    run: "click",
});

const edit = (field, value) => ({
    content: `${field}: ${value}`,
    trigger: `${modal} .o_field_widget[name=${field}] input`,
    run: `edit ${value} && press Enter`,
});

function pick(field, search, item) {
    return [
        { content: `${field}: search ${search}`, trigger: `${modal} .o_field_widget[name=${field}] input`, run: `edit ${search}` },
        { content: `${field}: pick ${item}`, trigger: `.o-autocomplete--dropdown-item:contains('${item}')`, run: "click" },
    ];
}

// What each wizard asks, as a user answers it.
const WIZARDS = {
    booking: () => [edit("first_meeting_date", inDays(3))],
    second: () => [edit("second_meeting_date", inDays(5, 14))],
    contact: () => [edit("contact_lastname", "Lange"), edit("phone", "+49 170 5550000")],
    gold: () =>
        [0, 1, 2, 3].map((index) => ({
            content: `criterion ${index + 1} met`,
            trigger: `${modal} div[name=qualification_criterion_ids] .form-check:eq(${index}) input`,
            run: "click",
        })),
    ko: () => pick("ko_reason_id", "Falsche", "Falsche Branche"),
    notSold: () => pick("lost_reason_id", "richtige", "Nicht der richtige Zeitpunkt"),
    sold: () => [
        { content: "the amount is asked", trigger: `${modal} .o_field_widget[name=expected_revenue] input` },
        edit("expected_revenue", "12000"),
    ],
};

// An outcome button: one of the first ones in the header, or in "More outcomes".
function clickOutcome(button) {
    return [
        {
            content: `find ${button}`,
            trigger: ".o_deal_phase_transitions",
            run() {
                const shown = [...this.anchor.querySelectorAll("button.o_deal_phase_transition")];
                if (!shown.some((element) => element.textContent.includes(button))) {
                    this.anchor.querySelector(".o_deal_phase_more").click();
                }
            },
        },
        { content: `click ${button}`, trigger: `.o_deal_phase_transition:contains('${button}')`, run: "click" },
    ];
}

function outcome(lead, button, target, wizard) {
    const steps = [...openRow(lead), ...clickOutcome(button)];
    if (wizard) {
        steps.push({ content: "the wizard asks", trigger: `${modal} .o_form_view` });
        steps.push(...WIZARDS[wizard](), confirm());
    }
    return [...steps, isIn(target), ...backToList()];
}

registry.category("web_tour.tours").add("crm_deal_phases_setter_outcomes", {
    steps: () => [
        ...outcome("Tour 01", "Nachverfolgung", "Nachverfolgung"),
        ...outcome("Tour 02", "Qualifiziert, ohne Termin", "Qualifiziert (ohne Termin)"),
        ...outcome("Tour 03", "Erstgespräch gebucht", "Erstgespräch", "booking"),
        // a wizard cancelled changes nothing, then it is confirmed
        ...openRow("Tour 04"),
        ...clickOutcome("Unqualifiziert (KO)"),
        { content: "cancel the wizard", trigger: `${modal} .modal-footer button:contains('Abbrechen')`, run: "click" },
        isIn("Anfrage eingegangen"),
        ...backToList(),
        ...outcome("Tour 04", "Unqualifiziert (KO)", "Unqualifiziert", "ko"),
        ...outcome("Tour 05", "Qualifiziert, ohne Termin", "Qualifiziert (ohne Termin)"),
        ...outcome("Tour 06", "Erstgespräch gebucht", "Erstgespräch", "booking"),
        ...outcome("Tour 07", "Unqualifiziert (KO)", "Unqualifiziert", "ko"),
        ...outcome("Tour 08", "Erstgespräch gebucht", "Erstgespräch", "booking"),
        ...outcome("Tour 09", "Unqualifiziert (KO)", "Unqualifiziert", "ko"),
        ...outcome("Tour 10", "Nachverfolgung", "Nachverfolgung", "contact"),
        ...outcome("Tour 11", "Qualifiziert, ohne Termin", "Qualifiziert (ohne Termin)", "gold"),
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_closer_outcomes", {
    steps: () => [
        ...outcome("Tour 12", "Verkauft", "Verkauft", "sold"),
        ...outcome("Tour 13", "Nicht verkauft", "Nicht verkauft", "notSold"),
        ...outcome("Tour 14", "Folgegespräch", "Folgegespräch", "second"),
        ...outcome("Tour 15", "Termin abgesagt", "Qualifiziert (ohne Termin)"),
        ...outcome("Tour 16", "Nicht erschienen", "Nachverfolgung").slice(0, -2),
        {
            content: "the no-show is counted on the form",
            trigger: ".o_field_widget[name=no_show_count]:contains('1')",
        },
        ...backToList(),
        ...outcome("Tour 17", "Setter-Fehler", "Unqualifiziert", "ko"),
        ...outcome("Tour 18", "Verkauft", "Verkauft", "sold"),
        ...outcome("Tour 19", "Nicht verkauft oder abgesagt", "Nicht verkauft", "notSold"),
        ...outcome("Tour 20", "Angebot + schriftliche Bestätigung", "Verkauft", "sold"),
        ...outcome("Tour 21", "Weiteres Folgegespräch", "Folgegespräch", "second"),
    ],
});

const listAction = (label) => ({
    content: `list: ${label}`,
    trigger: `.o_control_panel_actions button:contains('${label}'), .o_list_buttons button:contains('${label}')`,
    run: "click",
});

// Selects a row, whether a previous list action kept it selected or not.
const selectRow = (name) => ({
    content: `select ${name}`,
    trigger: `.o_data_row:contains('${name}') .o_list_record_selector input`,
    run() {
        if (!this.anchor.checked) {
            this.anchor.click();
        }
    },
});

function actionMenu(item) {
    return [
        { content: "open the action menu", trigger: ".o_cp_action_menus .dropdown-toggle", run: "click" },
        { content: `action: ${item}`, trigger: `.o-dropdown--menu .dropdown-item:contains('${item}')`, run: "click" },
    ];
}

function menu(sectionXmlid, itemXmlid) {
    return [
        { content: `menu ${sectionXmlid}`, trigger: `.o_menu_sections [data-menu-xmlid='${sectionXmlid}']`, run: "click" },
        { content: `menu ${itemXmlid}`, trigger: `.dropdown-item[data-menu-xmlid='${itemXmlid}']`, run: "click" },
    ];
}

registry.category("web_tour.tours").add("crm_deal_phases_setter_flows", {
    steps: () => [
        ...openCrm(),
        { content: "a setter lands on the call list", trigger: ".o_breadcrumb:contains('Follow-up-Calls')" },
        ...openRow("Tour Anruf"),
        { content: "log a goodwill call", trigger: "button[name=action_log_goodwill_call]", run: "click" },
        { content: "the call is counted", trigger: ".o_field_widget[name=call_count]:contains('1')" },
        { content: "add a strike", trigger: "button[name=action_open_strike_wizard]", run: "click" },
        edit("reason", "Nicht erreicht"),
        confirm("Strike vergeben"),
        { content: "the strike is counted", trigger: "body:not(:has(.modal)) .o_field_widget[name=strike_count]:contains('1')" },
        ...backToList(),
        selectRow("Tour Liste"),
        listAction("Goodwill-Call erfassen"),
        {
            content: "the list shows the call",
            trigger: ".o_data_row:contains('Tour Liste') .o_data_cell[name=call_count]:contains('1')",
        },
        selectRow("Tour Liste"),
        listAction("Strike vergeben"),
        edit("reason", "Mailbox voll"),
        confirm("Strike vergeben"),
        {
            content: "the list shows the strike",
            trigger: "body:not(:has(.modal)) .o_data_row:contains('Tour Liste') .o_data_cell[name=strike_count]:contains('1')",
        },
        ...menu("crm_deal_phases.crm_deal_phases_menu", "crm_deal_phases.crm_lead_pipeline_menu"),
        { content: "the pipeline opens", trigger: ".o_breadcrumb:contains('Pipeline'):not(:contains('Follow-up'))" },
        { content: "the pipeline as a list", trigger: ".o_switch_view.o_list", run: "click" },
        // search only once the list is there: text typed while the view switches is lost
        { content: "search the inquiry", trigger: ".o_list_view .o_searchview_input", run: "edit Tour Sammel" },
        { content: "search it", trigger: ".o_searchview_autocomplete .o-dropdown-item.focus", run: "click" },
        { content: "the search applies", trigger: ".o_searchview_facet:contains('Tour Sammel')" },
        selectRow("Tour Sammel"),
        ...actionMenu("Als unqualifiziert markieren (KO)"),
        confirm(),
        { content: "KO done", trigger: "body:not(:has(.modal)) .o_data_row:contains('Tour Sammel'):contains('Unqualifiziert')" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_closer_flows", {
    steps: () => [
        ...openCrm(),
        { content: "a closer lands on the consultations", trigger: ".o_list_view .o_data_row:contains('Tour Termin')" },
        ...openRow("Tour Termin"),
        { content: "postpone", trigger: "button[name=action_open_postpone]", run: "click" },
        { content: "the closer's free slots", trigger: `${modal} .o_deal_phase_free_slot:eq(1)`, run: "click" },
        confirm("Verschieben"),
        { content: "the header says what the button does", trigger: "body:not(:has(.modal)) button[name=action_open_postpone]:contains('Verschieben')" },
        { content: "the postponement is counted", trigger: "body:not(:has(.modal)) .o_field_widget[name=postponed_count]:contains('1')" },
        { content: "the meeting button", trigger: "button[name=action_schedule_meeting]", run: "click" },
        { content: "the booking is in the calendar", trigger: ".o_calendar_view, .o_list_view" },
        { content: "as a list", trigger: ".o_switch_view.o_list", run: "click" },
        { content: "the closer's event", trigger: ".o_data_row:contains('Tour Termin')" },
        ...menu("crm_deal_phases.crm_deal_phases_menu", "crm_deal_phases.crm_lead_closer_follow_up_menu"),
        { content: "all win-backs, not only mine", trigger: ".o_searchview_facet:contains('Closer') .o_facet_remove", run: "click" },
        selectRow("Tour Rückgewinnung"),
        listAction("Closer-Follow-up starten"),
        { content: "the win-back has a closer now", trigger: ".o_data_row:contains('Tour Rückgewinnung') .o_data_cell[name=closer_id]:not(:empty)" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_board", {
    steps: () => [
        { content: "new leads start in Inquiry received", trigger: `${column("Anfrage eingegangen")} .o_kanban_quick_add` },
        {
            content: "no quick create where a new lead must not start",
            trigger: `${column("Erstgespräch")}:not(:has(.o_kanban_quick_add))`,
        },
        {
            content: "drop the inquiry on Sold",
            trigger: ".o_kanban_record:contains('Tour Inquiry')",
            run: `drag_and_drop (.o_opportunity_kanban ${column("Verkauft")})`,
        },
        { content: "the clear error appears", trigger: ".modal:contains('von Anfrage eingegangen nach Verkauft')" },
        { content: "close the error", trigger: ".modal .modal-footer button", run: "click" },
        {
            content: "the card is back in its column",
            trigger: `body:not(:has(.modal)) ${column("Anfrage eingegangen")} .o_kanban_record:contains('Tour Inquiry')`,
        },
        {
            content: "drop a qualified lead on First consultation",
            trigger: ".o_kanban_record:contains('Tour Gold')",
            run: `drag_and_drop (.o_opportunity_kanban ${column("Erstgespräch")})`,
        },
        { content: "the booking wizard asks", trigger: `${modal} .o_field_widget[name=first_meeting_date]` },
        { content: "a free slot of the closer", trigger: `${modal} .o_deal_phase_free_slot`, run: "click" },
        confirm(),
        { content: "it moved", trigger: `body:not(:has(.modal)) ${column("Erstgespräch")} .o_kanban_record:contains('Tour Gold')` },
        // the statusbar asks like the drop
        { content: "open a qualified lead", trigger: ".o_kanban_record:contains('Tour Status')", run: "click" },
        { content: "its form is open", trigger: ".o_form_view .o_breadcrumb:contains('Tour Status')" },
        {
            content: "click First consultation in the statusbar",
            trigger: ".o_statusbar_status button.o_arrow_button:not(.o_arrow_button_current):contains('Erstgespräch')",
            run: "click",
        },
        { content: "the booking wizard asks", trigger: `${modal} .o_field_widget[name=first_meeting_date]` },
        { content: "a free slot", trigger: `${modal} .o_deal_phase_free_slot`, run: "click" },
        confirm(),
        isIn("Erstgespräch"),
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_manager", {
    steps: () => [
        ...openRow("Tour Chef"),
        { content: "force a phase", trigger: "button:contains('Phase erzwingen')", run: "click" },
        ...pick("stage_id", "Verkauft", "Verkauft"),
        { content: "a reason", trigger: `${modal} .o_field_widget[name=reason] textarea`, run: "edit Auf der Messe unterschrieben" },
        confirm("Phase erzwingen"),
        isIn("Verkauft"),
        ...openCrm(),
        { content: "a manager lands on the team's week", trigger: ".o_pivot_view" },
        ...reports(),
    ],
});

function reports() {
    const steps = [];
    for (const [item, views] of [
        ["crm_deal_funnel_report_menu", ["pivot", "graph", "list"]],
        ["crm_deal_phase_report_menu", ["pivot", "graph", "list"]],
        ["crm_deal_closer_report_menu", ["pivot", "list"]],
        ["crm_deal_phase_duration_report_menu", ["list", "pivot"]],
        ["crm_deal_phase_log_menu", ["list"]],
        ["crm_deal_week_report_menu", ["pivot", "graph", "list"]],
    ]) {
        const section = item === "crm_deal_week_report_menu" ? "crm_deal_phases.crm_deal_phases_menu" : "crm.crm_menu_report";
        steps.push(...menu(section, `crm_deal_phases.${item}`));
        for (const view of views) {
            if (views.length > 1) {
                steps.push({ content: `${item}: ${view} view`, trigger: `.o_switch_view.o_${view}`, run: "click" });
            }
            steps.push({ content: `${item}: ${view} rendered`, trigger: `.o_${view}_view` });
        }
    }
    return steps;
}

// The day after the outcome: a closer's decisions before the meeting, a setter on a closer's
// lead, a booking that offers the team's closers and the whole working day.
registry.category("web_tour.tours").add("crm_deal_phases_outcome_rules", {
    steps: () => [
        ...openRow("Tour Früh"),
        ...clickOutcome("Nicht erschienen"),
        { content: "a no-show before the meeting is refused", trigger: ".modal:contains('bevor sein Beratungsgespräch begonnen hat')" },
        { content: "close the error", trigger: ".modal .modal-footer button", run: "click" },
        isIn("Erstgespräch"),
        ...clickOutcome("Verkauft"),
        { content: "the dialog says the meeting has not taken place", trigger: `${modal} .alert-warning:contains('noch nicht stattgefunden')` },
        { content: "confirm the early decision", trigger: `${modal} .o_field_widget[name=confirm_early_decision] input`, run: "click" },
        ...WIZARDS.sold(),
        confirm(),
        isIn("Verkauft"),
        ...backToList(),
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_setter_on_a_consultation", {
    steps: () => [
        ...openRow("Tour Beim Closer"),
        isIn("Erstgespräch"),
        { content: "no closer outcome is offered to the setter", trigger: ".o_form_view:not(:has(.o_deal_phase_transition)):not(:has(.o_deal_phase_more))" },
        ...backToList(),
        ...openRow("Tour Buchung"),
        ...clickOutcome("Erstgespräch gebucht"),
        { content: "the gold standard is marked as required", trigger: `${modal} .o_form_view:contains('Pflicht: Jedes Kriterium ist erfüllt')` },
        ...WIZARDS.gold(),
        { content: "the closer list", trigger: `${modal} .o_field_widget[name=closer_id] input`, run: "edit a" },
        { content: "the team's closer is offered", trigger: ".o-autocomplete--dropdown-item:contains('Carl Closer')" },
        {
            content: "the setter is not",
            trigger: ".o-autocomplete--dropdown-menu:not(:has(.o-autocomplete--dropdown-item:contains('Sina Setter')))",
        },
        { content: "pick the closer", trigger: ".o-autocomplete--dropdown-item:contains('Carl Closer')", run: "click" },
        { content: "afternoon slots are offered too", trigger: `${modal} .o_deal_phase_free_slot:contains('15:00')` },
        { content: "pick it", trigger: `${modal} .o_deal_phase_free_slot:contains('15:00')`, run: "click" },
        confirm(),
        isIn("Erstgespräch"),
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_deep_link", {
    steps: () => [
        { content: "the link opens the lead, not the role's start page", trigger: ".o_form_view .o_breadcrumb:contains('Tour Link')" },
        isIn("Nachverfolgung"),
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_on_a_phone", {
    steps: () => [
        { content: "the call list opens as cards", trigger: ".o_kanban_view.o_deal_phase_worklist_kanban .o_kanban_record:contains('Tour Handy')" },
        { content: "the whole number", trigger: ".o_kanban_record:contains('Tour Handy') a[href^='tel']:contains('+49 152 44401234')" },
        { content: "no empty column first", trigger: "body:not(:has(.o_kanban_group))" },
        { content: "open the lead", trigger: ".o_kanban_record:contains('Tour Handy')", run: "click" },
        { content: "the goodwill call is a button", trigger: ".o_statusbar_buttons > button[name=action_log_goodwill_call], .o_statusbar_buttons div[name=deal_phase_calls] button[name=action_log_goodwill_call]" },
        { content: "and the strike", trigger: ".o_statusbar_buttons div[name=deal_phase_calls] button[name=action_open_strike_wizard]" },
        { content: "log the call", trigger: "button[name=action_log_goodwill_call]", run: "click" },
        { content: "the call is counted", trigger: ".o_field_widget[name=call_count]:contains('1')" },
    ],
});

// The calling session: five leads in a row, five outcomes, the due call-back before the
// cadence's leads.
const calling = (lead) => ({ content: `calling ${lead}`, trigger: `.o_deal_call_screen:has(.o_field_widget[name=contact_name]:contains('${lead}'))` });
const callOutcome = (label) => ({
    content: `outcome: ${label}`,
    trigger: `.o_deal_call_screen .o_statusbar_buttons button:contains('${label}')`,
    run: "click",
});

// The call screen on a phone: the lead's answers and the call it booked, "Reached", a note typed
// after it, the next lead. The note is the call's (tests/test_ui.py checks the call record).
registry.category("web_tour.tours").add("crm_deal_phases_calling_on_a_phone", {
    steps: () => [
        calling("Paula Handy"),
        { content: "the number to dial, at once", trigger: ".o_deal_call_screen a[href^='tel']:contains('+49 152 55501234')" },
        { content: "the answers of the page", trigger: ".o_deal_call_screen .o_field_widget[name=answers]:contains('Budget'):contains('Sofort')" },
        callOutcome("Erreicht"),
        { content: "reached: what comes next", trigger: ".o_deal_call_screen button[name=action_keep_phase]" },
        {
            content: "a note after the call",
            trigger: ".o_deal_call_screen .o_field_widget[name=note] textarea",
            run: "edit Will im Frühjahr starten, Budget steht",
        },
        {
            content: "keep the phase, next lead",
            trigger: ".o_deal_call_screen button[name=action_keep_phase]",
            run: "click",
        },
        { content: "no lead left", trigger: ".o_notification:contains('Gerade kein Lead zum Anrufen')" },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_calling_session", {
    steps: () => [
        { content: "the setter's call list", trigger: ".o_list_view .o_breadcrumb:contains('Follow-up-Calls')" },
        { content: "the list offers calling", trigger: ".o_list_view button:contains('Anrufe starten')" },
        // the menu calls every phase setters call: new inquiries first
        ...menu("crm_deal_phases.crm_deal_phases_menu", "crm_deal_phases.crm_lead_start_calling_menu"),
        calling("Anna Erste"),
        { content: "the number to dial", trigger: ".o_deal_call_screen a[href^='tel']" },
        callOutcome("Nicht erreicht"),
        calling("Bernd Zweite"),
        {
            content: "a note on the call",
            trigger: ".o_deal_call_screen .o_field_widget[name=note] textarea",
            run: "edit Hat Interesse, Termin gewünscht",
        },
        callOutcome("Erreicht"),
        { content: "reached: the next phase", trigger: ".o_deal_call_screen button.o_deal_phase_transition:contains('Erstgespräch gebucht')", run: "click" },
        { content: "the booking wizard asks", trigger: `${modal} .o_field_widget[name=first_meeting_date]` },
        ...WIZARDS.booking(),
        confirm(),
        { content: "the call-back comes first when due", ...calling("Carla Rückruf") },
        callOutcome("Falsche Nummer"),
        calling("Dieter Fällig"),
        callOutcome("Mailbox"),
        calling("Emil Fällig"),
        {
            content: "when to call back",
            trigger: ".o_deal_call_screen .o_field_widget[name=call_back_at] input",
            run: `edit ${inDays(2, 16)} && press Enter`,
        },
        { content: "call back then", trigger: ".o_deal_call_screen div[name=call_back] button:contains('Rückruf')", run: "click" },
        { content: "no lead left: back to the list", trigger: ".o_notification:contains('Gerade kein Lead zum Anrufen')" },
        { content: "the list is back", trigger: ".o_list_view .o_breadcrumb:contains('Follow-up-Calls')" },
    ],
});

// A Sales Administrator opens a door for a form tool: a source, its token shown once, then a
// refused submission replayed from the log once the mapping is fixed.
registry.category("web_tour.tours").add("crm_deal_phases_inquiry_source", {
    steps: () => [
        ...menu("crm.crm_menu_config", "crm_deal_phases.crm_deal_intake_source_menu"),
        { content: "the sources", trigger: ".o_list_view .o_breadcrumb:contains('Anfragequellen')" },
        { content: "a new source", trigger: ".o_list_button_add", run: "click" },
        { content: "its name", trigger: ".o_field_widget[name=name] input", run: "edit Tour Typeform" },
        { content: "its code", trigger: ".o_field_widget[name=code] input", run: "edit tour-typeform" },
        { content: "its team: search", trigger: ".o_field_widget[name=team_id] input", run: "edit Deal Phases Team" },
        { content: "its team: pick", trigger: ".o-autocomplete--dropdown-item:contains('Deal Phases Team')", run: "click" },
        { content: "save", trigger: ".o_form_button_save", run: "click" },
        { content: "a new token", trigger: "button[name=action_new_token]:contains('Neues Token')", run: "click" },
        { content: "shown once", trigger: `${modal}:contains('nur einmal angezeigt') .o_field_widget[name=secret]` },
        confirm("Fertig"),
        { content: "the token's hint", trigger: ".o_field_widget[name=token_hint]:contains('…')" },
        ...menu("crm.crm_menu_config", "crm_deal_phases.crm_deal_intake_log_menu"),
        { content: "the refused submission", trigger: ".o_data_row:contains('Abgelehnt') .o_data_cell[name=source_id]", run: "click" },
        { content: "replay it", trigger: "button[name=action_replay]:contains('Erneut einspielen')", run: "click" },
        { content: "replayed", trigger: ".o_field_widget[name=replayed_by_id]:contains('Tour Alt')" },
    ],
});
