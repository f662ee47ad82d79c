import { Component, status } from "@odoo/owl";
import { Dropdown } from "@web/core/dropdown/dropdown";
import { DropdownItem } from "@web/core/dropdown/dropdown_item";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * One button per transition the phase graph allows from the lead's phase, labelled with
 * the transition's label. The list comes from the transition table, so an admin's change
 * to the table changes the buttons; the server decides whether to move at once or to
 * open the wizard that asks for the target phase's data. The first outcomes of the table are
 * buttons, the others one click away in "More outcomes": a header of one row.
 */
export class PhaseTransitionButtons extends Component {
    static template = "crm_deal_phases.PhaseTransitionButtons";
    static components = { Dropdown, DropdownItem };
    static props = { ...standardFieldProps };
    static shown = 3;

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
    }

    get transitions() {
        return this.props.record.data[this.props.name].records.map((transition) => ({
            id: transition.resId,
            label: transition.data.display_name,
        }));
    }

    get buttons() {
        return this.transitions.slice(0, PhaseTransitionButtons.shown);
    }

    get more() {
        return this.transitions.slice(PhaseTransitionButtons.shown);
    }

    async onClick(transitionId) {
        const record = this.props.record;
        if (!(await record.save())) {
            return;
        }
        // a lead's form, or a calling session's, which opens the lead's outcome for it
        const action = await this.orm.call(record.resModel, "action_open_phase_transition", [
            [record.resId],
            transitionId,
        ]);
        if (action && typeof action === "object") {
            // a wizard opened from a calling session ends on the session's next lead: this
            // screen is gone by then, and has nothing to reload
            await this.action.doAction(action, {
                onClose: () => status(this) !== "destroyed" && record.load(),
            });
        } else {
            await record.load();
        }
    }
}

export const phaseTransitionButtons = {
    component: PhaseTransitionButtons,
    supportedTypes: ["many2many"],
    relatedFields: [{ name: "display_name", type: "char" }],
};

registry.category("fields").add("deal_phase_transition_buttons", phaseTransitionButtons);
