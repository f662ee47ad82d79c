import { Component } from "@odoo/owl";
import { deserializeDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * The closer's free slots of the day as buttons: a click puts the slot into the wizard's
 * date field (options.target). The server computes the slots; nothing is booked until the
 * wizard is confirmed.
 */
export class FreeSlots extends Component {
    static template = "crm_deal_phases.FreeSlots";
    static props = { ...standardFieldProps, target: { type: String } };

    get slots() {
        return this.props.record.data[this.props.name] || [];
    }

    async pick(slot) {
        await this.props.record.update({ [this.props.target]: deserializeDateTime(slot.start) });
    }
}

export const freeSlots = {
    component: FreeSlots,
    supportedTypes: ["json"],
    extractProps: ({ options }) => ({ target: options.target }),
};

registry.category("fields").add("deal_phase_free_slots", freeSlots);
