// One refetchable fragment per Node type: Position.
import { graphql } from "react-relay";

export const PositionView = graphql`
  fragment PositionView_position on Position
  @refetchable(queryName: "PositionViewRefetchQuery") {
    id
    kind
    symbol
    amount
    marketValue
  }
`;
