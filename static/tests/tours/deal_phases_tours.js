import { registry } from "@web/core/registry";

// The team works in German: the tours read what a German-speaking user sees.

const column = (title) => `.o_kanban_group:has(.o_column_title:contains('${title}'))`;

registry.category("web_tour.tours").add("crm_deal_phases_board", {
    steps: () => [
        {
            content: "the card of an inquiry is on the board",
            trigger: `${column("Anfrage eingegangen")} .o_kanban_record:contains('Tour Inquiry')`,
        },
        {
            content: "drop the inquiry on Sold",
            trigger: ".o_kanban_record:contains('Tour Inquiry')",
            run: `drag_and_drop (.o_opportunity_kanban ${column("Verkauft")})`,
        },
        {
            content: "the clear error appears",
            trigger: ".modal:contains('von Anfrage eingegangen nach Verkauft')",
        },
        {
            content: "close the error",
            trigger: ".modal .modal-footer button",
            run: "click",
        },
        {
            content: "the card is back in its column",
            trigger: `body:not(:has(.modal)) ${column("Anfrage eingegangen")} .o_kanban_record:contains('Tour Inquiry')`,
        },
        {
            content: "drop a complete gold-standard lead on First consultation",
            trigger: ".o_kanban_record:contains('Tour Gold')",
            run: `drag_and_drop (.o_opportunity_kanban ${column("Erstgespräch")})`,
        },
        {
            content: "it moved",
            trigger: `${column("Erstgespräch")} .o_kanban_record:contains('Tour Gold')`,
        },
    ],
});

registry.category("web_tour.tours").add("crm_deal_phases_no_show", {
    steps: () => [
        {
            content: "the outcome buttons of a First consultation are there",
            trigger: "button.o_deal_phase_transition:contains('Nicht erschienen')",
            run: "click",
        },
        {
            content: "the lead is in Follow-up",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Nachverfolgung')",
        },
        {
            content: "the no-show is counted on the form",
            trigger: ".o_field_widget[name=no_show_count]:contains('1')",
        },
        {
            content: "back to the board",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "the no-show badge shows on the card",
            trigger: ".o_kanban_record:contains('Tour Meeting') .o_deal_phase_no_shows",
        },
    ],
});

const openWorkList = (name, listTitle) => [
    {
        content: "open the Deal Phases menu",
        trigger: ".o_menu_sections button:contains('Deal-Phasen')",
        run: "click",
    },
    {
        content: `open ${name}`,
        trigger: `.dropdown-item:contains('${name}')`,
        run: "click",
    },
    {
        content: `${name} shows its list`,
        trigger: `.o_breadcrumb:contains('${listTitle}')`,
    },
    {
        content: `${name} list is rendered`,
        trigger: ".o_list_view .o_list_table",
    },
];

registry.category("web_tour.tours").add("crm_deal_phases_work_lists", {
    steps: () => [
        ...openWorkList("Follow-up-Calls", "Follow-up-Calls"),
        ...openWorkList("Qualifiziert – ohne Termin", "Qualifiziert – ohne Termin"),
        ...openWorkList("Closer-Follow-up", "Closer-Follow-up"),
    ],
});
