/** The deleted / recovered mark of a record, as words (not colour alone). */
export function OriginMark(props: { deleted: boolean; origin: string; dateSuspect?: boolean }) {
  return (
    <>
      {props.origin === 'recovered' && <span class="mark recovered">recovered</span>}
      {props.origin === 'recently-deleted' && <span class="mark deleted">recently deleted</span>}
      {props.deleted && props.origin === 'live' && <span class="mark deleted">deleted</span>}
      {props.dateSuspect && <span class="mark suspect">date unclear</span>}
    </>
  );
}
