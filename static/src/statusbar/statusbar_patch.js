import { patch } from "@web/core/utils/patch";
import { useService } from "@web/core/utils/hooks";
import { StatusBarField } from "@web/views/fields/statusbar/statusbar_field";

/**
 * A lead's statusbar asks like its outcome buttons: a phase that needs data opens the
 * wizard that asks for it; other stages are written as usual, and a lead outside the phases
 * moves as in crm.
 */
patch(StatusBarField.prototype, {
    setup() {
        super.setup(...arguments);
        this.dealPhaseOrm = useService("orm");
        this.dealPhaseAction = useService("action");
    },

    async selectItem(item) {
        const { name, record } = this.props;
        if (record.resModel === "crm.lead" && name === "stage_id" && record.resId && record.data.deal_phase) {
            if (!(await record.save())) {
                return;
            }
            const action = await this.dealPhaseOrm.call("crm.lead", "action_drop_on_stage", [
                [record.resId],
                item.value,
            ]);
            if (action) {
                return this.dealPhaseAction.doAction(action, { onClose: () => record.load() });
            }
        }
        return super.selectItem(...arguments);
    },
});
