import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { memoize } from "@web/core/utils/functions";
import { crmKanbanView } from "@crm/views/crm_kanban/crm_kanban_view";
import { CrmKanbanModel, CrmKanbanDynamicGroupList } from "@crm/views/crm_kanban/crm_kanban_model";
import { CrmKanbanRenderer } from "@crm/views/crm_kanban/crm_kanban_renderer";

/**
 * The pipeline board of the deal phases.
 * - A card dropped on a phase that asks for data (a booking's date and closer, a not-sold
 *   or KO reason, the gold standard, ...) opens the wizard its outcome button opens; the card
 *   moves when the wizard is confirmed. Other drops write the stage as usual, and a move the
 *   graph forbids keeps its clear error.
 * - The "+" of a column is offered only where a new lead may start; the phases' own board
 *   offers no new column.
 * Cards of leads outside the phases move as crm moves them, without asking the server.
 */
export class DealPhasesKanbanDynamicGroupList extends CrmKanbanDynamicGroupList {
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const sourceGroup = this.groups.find((g) => g.id === dataGroupId);
        const targetGroup = this.groups.find((g) => g.id === targetGroupId);
        if (
            dataGroupId !== targetGroupId &&
            sourceGroup &&
            targetGroup &&
            this.resModel === "crm.lead" &&
            targetGroup.groupByField.name === "stage_id"
        ) {
            const record = sourceGroup.list.records.find((r) => r.id === dataRecordId);
            if (!record?.data.deal_phase) {
                // a lead outside the phases moves as in crm
                return super.moveRecord(...arguments);
            }
            const action = await this.model.orm.call("crm.lead", "action_drop_on_stage", [
                [record.resId],
                targetGroup.value,
            ]);
            if (action) {
                await this.model.action.doAction(action, {
                    onClose: () => this.model.load(),
                });
                return;
            }
        }
        return super.moveRecord(...arguments);
    }
}

export class DealPhasesKanbanModel extends CrmKanbanModel {
    setup(params, services) {
        super.setup(...arguments);
        this.action = services.action;
        this.newLeadStageIds = null;
    }

    async load(params = {}) {
        // in parallel with the data: the model sets its (empty) root before its first await
        const stages =
            this.newLeadStageIds === null
                ? this.orm.search("crm.stage", [["allows_new_leads", "=", true]])
                : null;
        const phases =
            this.phaseStageIds === undefined ? this.orm.search("crm.stage", [["deal_phase", "!=", false]]) : null;
        const loaded = super.load(params);
        if (stages) {
            this.newLeadStageIds = await stages;
        }
        if (phases) {
            this.phaseStageIds = await phases;
        }
        return loaded;
    }
}
DealPhasesKanbanModel.DynamicGroupList = DealPhasesKanbanDynamicGroupList;
DealPhasesKanbanModel.services = [...CrmKanbanModel.services, "action"];

const CrmKanbanHeader = CrmKanbanRenderer.components.KanbanHeader;

export class DealPhasesKanbanHeader extends CrmKanbanHeader {
    get hasTooltip() {
        return this.isPhaseColumn || super.hasTooltip;
    }

    get isPhaseColumn() {
        const phases = this.group.model.phaseStageIds;
        return this.group.groupByField.name === "stage_id" && Boolean(phases?.includes(this.group.value));
    }

    // a phase's column explains the phase, in the user's language (crm's tooltip elsewhere)
    crmLoadTooltip = this.loadTooltip;
    loadTooltip = memoize(async () => {
        if (!this.isPhaseColumn) {
            return this.crmLoadTooltip();
        }
        const [stage] = await this.orm.silent.read("crm.stage", [this.group.value], ["deal_phase_description"]);
        return stage.deal_phase_description ? [{ title: _t("Phase"), value: stage.deal_phase_description }] : [];
    });

    canQuickCreate() {
        const allowed = this.group.model.newLeadStageIds;
        if (!super.canQuickCreate() || !allowed || this.group.groupByField.name !== "stage_id") {
            return super.canQuickCreate();
        }
        return allowed.includes(this.group.value);
    }
}

export class DealPhasesKanbanRenderer extends CrmKanbanRenderer {
    static components = { ...CrmKanbanRenderer.components, KanbanHeader: DealPhasesKanbanHeader };

    canCreateGroup() {
        // the columns of the deal phases' board are the eight phases
        return !this.props.list.context.deal_phases_board && super.canCreateGroup();
    }
}

export const dealPhasesKanbanView = {
    ...crmKanbanView,
    Model: DealPhasesKanbanModel,
    Renderer: DealPhasesKanbanRenderer,
};

registry.category("views").add("deal_phases_kanban", dealPhasesKanbanView);
